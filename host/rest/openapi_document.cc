#include "rest/openapi_document.h"

namespace scorehost::rest {

std::string_view OpenApiDocument() {
  static constexpr std::string_view kDocument = R"json({
"openapi": "3.0.3",
"info": {
  "title": "H2O Scoring API",
  "description": "REST API for H2O model scoring. Common spec for all H2O.ai scoring runtimes, served by scorehost.",
  "license": {"name": "Apache 2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0.html"},
  "version": "1.5.0"
},
"servers": [{"url": "."}],
"tags": [
  {"name": "metadata", "description": "Model information"},
  {"name": "scoring", "description": "Scoring"},
  {"name": "contribution", "description": "Shapley contributions"},
  {"name": "health", "description": "Probes"},
  {"name": "documentation", "description": "This document and its viewer"}
],
"paths": {
  "/model/id": {"get": {"tags": ["metadata"], "operationId": "getModelId", "summary": "Id of the served model",
    "responses": {
      "200": {"description": "The model id", "content": {"text/plain": {"schema": {"type": "string"}}}},
      "503": {"$ref": "#/components/responses/NotLoaded"}}}},
  "/model/schema": {"get": {"tags": ["metadata"], "operationId": "getModelInfo", "summary": "Input and output columns",
    "responses": {
      "200": {"description": "The model schema", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Model"}}}},
      "503": {"$ref": "#/components/responses/NotLoaded"}}}},
  "/model/capabilities": {"get": {"tags": ["metadata"], "operationId": "getCapabilities", "summary": "What the scorer can compute",
    "responses": {
      "200": {"description": "Capabilities, in the Java runtime's order", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/CapabilityType"}}}}},
      "503": {"$ref": "#/components/responses/NotLoaded"}}}},
  "/model/sample_request": {"get": {"tags": ["metadata"], "operationId": "getSampleRequest", "summary": "A request that passes validation",
    "responses": {
      "200": {"description": "A sample score request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreRequest"}}}},
      "503": {"$ref": "#/components/responses/NotLoaded"}}}},
  "/model/runtime": {"get": {"tags": ["metadata"], "operationId": "getModelRuntime", "summary": "How the model is served: runtime, plugin and the plugin's runtime properties",
    "responses": {
      "200": {"description": "The serving runtime", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelRuntime"}}}},
      "503": {"$ref": "#/components/responses/NotLoaded"}}}},
  "/model/score": {"post": {"tags": ["scoring"], "operationId": "getScore", "summary": "Score rows",
    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreRequest"}}}},
    "responses": {
      "200": {"description": "One output row per input row, in request order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreResponse"}}}},
      "400": {"$ref": "#/components/responses/Error"},
      "413": {"$ref": "#/components/responses/Error"},
      "415": {"$ref": "#/components/responses/Error"},
      "500": {"$ref": "#/components/responses/Error"},
      "501": {"$ref": "#/components/responses/Error"},
      "503": {"$ref": "#/components/responses/Error"}}}},
  "/model/contribution": {"post": {"tags": ["contribution"], "operationId": "getContribution", "summary": "Shapley contributions of rows",
    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ContributionRequest"}}}},
    "responses": {
      "200": {"description": "Contributions per row", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ContributionResponse"}}}},
      "400": {"$ref": "#/components/responses/Error"},
      "413": {"$ref": "#/components/responses/Error"},
      "415": {"$ref": "#/components/responses/Error"},
      "500": {"$ref": "#/components/responses/Error"},
      "501": {"$ref": "#/components/responses/Error"},
      "503": {"$ref": "#/components/responses/Error"}}}},
  "/readyz": {"get": {"tags": ["health"], "operationId": "getReadyz", "summary": "Readiness probe",
    "responses": {
      "200": {"description": "Model is ready", "content": {"text/plain": {"schema": {"type": "string", "example": "Ready"}}}},
      "503": {"description": "Model not ready (loading, or draining before shutdown)", "content": {"text/plain": {"schema": {"type": "string", "example": "Not ready"}}}}}}},
  "/openapi.json": {"get": {"tags": ["documentation"], "operationId": "getOpenApi", "summary": "This document",
    "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
  "/docs": {"get": {"tags": ["documentation"], "operationId": "getDocs", "summary": "Swagger UI for this document",
    "responses": {"200": {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
  "/metrics": {"get": {"tags": ["health"], "operationId": "getMetrics", "summary": "Prometheus metrics (text exposition format 0.0.4; see docs/metrics.md). 404 when METRICS_ENABLED=false",
    "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string", "example": "scorehost_requests_total{endpoint=\"/model/score\",code=\"200\"} 42"}}}}}}}
},
"components": {
  "responses": {
    "Error": {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}},
    "NotLoaded": {"description": "The model is still loading", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
  },
  "schemas": {
    "ErrorResponse": {"type": "object", "properties": {"detail": {"type": "string", "description": "A string message containing the detail error message."}}},
    "Row": {"type": "array", "items": {"type": "string", "nullable": true}},
    "ShapleyType": {"type": "string", "enum": ["ORIGINAL", "TRANSFORMED", "NONE"]},
    "CapabilityType": {"type": "string", "enum": ["SCORE", "SCORE_PREDICTION_INTERVAL", "CONTRIBUTION_ORIGINAL", "CONTRIBUTION_TRANSFORMED"]},
    "DataType": {"type": "string", "enum": ["Bool", "Int32", "Int64", "Float32", "Float64", "Str", "Time64"]},
    "ScoreRequest": {"type": "object", "properties": {
      "requestShapleyValueType": {"$ref": "#/components/schemas/ShapleyType"},
      "includeFieldsInOutput": {"type": "array", "items": {"type": "string"}, "description": "Input columns to copy into the response, in input order."},
      "noFieldNamesInOutput": {"type": "boolean", "description": "Leave fields out of the response."},
      "idField": {"type": "string", "description": "Row id column; generated (UUID) when listed in includeFieldsInOutput but absent from fields."},
      "fields": {"type": "array", "items": {"type": "string"}},
      "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
      "requestPredictionIntervals": {"type": "boolean"}}},
    "ContributionRequest": {"type": "object", "required": ["requestShapleyValueType"], "properties": {
      "requestShapleyValueType": {"$ref": "#/components/schemas/ShapleyType"},
      "fields": {"type": "array", "items": {"type": "string"}},
      "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}}},
    "PredictionInterval": {"type": "object", "properties": {
      "fields": {"$ref": "#/components/schemas/Row"},
      "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}}},
    "ContributionGroup": {"type": "object", "properties": {
      "outputGroup": {"type": "string", "description": "The class (multinomial models only)."},
      "contributions": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}}},
    "ContributionResponse": {"type": "object", "properties": {
      "features": {"type": "array", "items": {"type": "string"}},
      "contributionGroups": {"type": "array", "items": {"$ref": "#/components/schemas/ContributionGroup"}}}},
    "ScoreResponse": {"type": "object", "properties": {
      "id": {"type": "string", "description": "A unique id of the model used for scoring."},
      "fields": {"type": "array", "items": {"type": "string"}},
      "score": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
      "featureShapleyContributions": {"$ref": "#/components/schemas/ContributionResponse"},
      "predictionIntervals": {"$ref": "#/components/schemas/PredictionInterval"}}},
    "DataField": {"type": "object", "properties": {
      "name": {"type": "string"},
      "dataType": {"$ref": "#/components/schemas/DataType"}}},
    "ModelSchema": {"type": "object", "properties": {
      "inputFields": {"type": "array", "items": {"$ref": "#/components/schemas/DataField"}},
      "outputFields": {"type": "array", "items": {"$ref": "#/components/schemas/DataField"}}}},
    "Model": {"type": "object", "properties": {
      "id": {"type": "string"},
      "schema": {"$ref": "#/components/schemas/ModelSchema"}}},
    "ModelRuntime": {"type": "object", "required": ["runtime", "plugin", "plugin_version", "artifact_type", "properties"], "properties": {
      "runtime": {"type": "string", "description": "The runtime serving the model, e.g. h2o3-mojo-scorer."},
      "plugin": {"type": "string", "description": "The runtime plugin's name."},
      "plugin_version": {"type": "string", "description": "The runtime plugin's version."},
      "artifact_type": {"type": "string", "description": "The artifact type the model was loaded as."},
      "properties": {"type": "object", "additionalProperties": {"type": "string"},
        "description": "What the plugin reports about how it serves the model, e.g. device, gpu_name, torch_version; empty when it reports nothing.",
        "example": {"device": "cuda:0", "gpu_name": "NVIDIA H200", "torch_version": "2.2.2"}}}}
  }
}
})json";
  return kDocument;
}

std::string_view DocsPage() {
  static constexpr std::string_view kPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>H2O Scoring API - scorehost</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>
  // Relative on purpose: behind the MLOps proxy this page lives under /<deployment-id>/docs.
  window.ui = SwaggerUIBundle({url: "./openapi.json", dom_id: "#swagger-ui"});
</script>
</body>
</html>
)html";
  return kPage;
}

}  // namespace scorehost::rest
