// The OpenAPI 3.0 description of exactly the routes this server answers (GET /openapi.json),
// and the Swagger UI page that renders it (GET /docs).
#pragma once

#include <string_view>

namespace scorehost::rest {

// JSON text. `servers: [{url: "."}]` so that "Try it out" keeps a proxy's /<deployment-id>/ prefix.
std::string_view OpenApiDocument();

// HTML that loads Swagger UI from a CDN and points it at "./openapi.json" (relative, for the same
// reason as above).
std::string_view DocsPage();

}  // namespace scorehost::rest
