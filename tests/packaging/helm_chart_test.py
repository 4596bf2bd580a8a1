"""Render tests of packaging/helm/scorehost with real Helm, and schema validation of the output.

Helm: helm-python-sdk, which is Helm's own Go SDK (engine, values schema, lint) behind a C ABI, so
the templates are rendered exactly as `helm template` would. Schemas: kubernetes-validate's
offline OpenAPI-derived JSON schemas, strict mode (unknown fields are errors), for every
Kubernetes minor the chart supports. Both come from .ci/packaging-deps.sh.

The volume cases are the seed's own examples (reference: "Generic Ephemeral volumes"): its YAML
`runtimes.volumeMounts` example and its HOCON `volume-mounts` example written as values.
"""
import copy
import os
import unittest

import helm_python as helm
import kubernetes_validate
import yaml

CHART = os.path.join(os.environ["SCOREHOST_SOURCE_DIR"], "packaging", "helm", "scorehost")

from seed_defaults import SEED_DEFAULTS

# The seed's YAML example, verbatim.
SEED_YAML_EXAMPLE = yaml.safe_load("""
runtimes:
  volumeMounts:
  - name: "dev-shm"
    type: "ephemeral"
    properties:
      size: "1Gi"
    paths: ["/tmp"]
""")

# The seed's HOCON example, field for field; properties kept in HOCON's list form.
SEED_HOCON_EXAMPLE_AS_VALUES = {
    "runtimes": {
        "volumeMounts": [
            {"name": "ephemeral_volume", "type": "ephemeral",
             "properties": [{"name": "size", "value": "1Gi"}],
             "paths": ["/ephemeral_volume_1", "/ephemeral_volume_2"]},
            {"name": "emptyDir_volume", "type": "emptyDir",
             "properties": [{"name": "medium", "value": "Memory"}],
             "paths": ["/emptyDir_volume_1", "/emptyDir_volume_2"]},
        ]
    }
}


def render(values=None):
    """All manifests the chart renders for `values`, as a list of parsed objects."""
    with helm.Chart.load(CHART) as chart:
        out = chart.render(values or {}, name="demo", namespace="ml")
    docs = []
    for path, text in sorted(out.items()):
        if path.endswith("NOTES.txt"):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


def one(docs, kind):
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def container(docs):
    return one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def env_of(docs):
    return {e["name"]: e for e in container(docs)["env"]}


def volumes_of(docs):
    return {v["name"]: v for v in one(docs, "Deployment")["spec"]["template"]["spec"]["volumes"]}


def mounts_of(docs):
    return [(m["name"], m["mountPath"]) for m in container(docs)["volumeMounts"]]


class RenderFailure(unittest.TestCase):
    def assertRenderFails(self, values, *fragments):
        with self.assertRaises(helm.HelmError) as caught:
            render(values)
        for fragment in fragments:
            self.assertIn(fragment, str(caught.exception))


class LintTest(unittest.TestCase):
    def test_chart_lints_clean_with_default_and_seed_values(self):
        for values in (None, SEED_YAML_EXAMPLE, SEED_HOCON_EXAMPLE_AS_VALUES):
            report = helm.lint(CHART, values, strict=True)
            problems = [m for m in report["messages"] if m["severity"] >= 2]
            self.assertEqual(problems, [], report)
            self.assertEqual(report["errors"], [], report)


class DefaultRenderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs = render()

    def test_kinds(self):
        kinds = sorted(d["kind"] for d in self.docs)
        self.assertEqual(kinds, ["Deployment", "PodDisruptionBudget", "Service"])

    def test_replicas_and_rollout(self):
        deploy = one(self.docs, "Deployment")
        self.assertEqual(deploy["spec"]["replicas"], 3)
        self.assertEqual(deploy["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0)

    def test_every_seed_setting_is_in_env_with_the_seed_default(self):
        env = env_of(self.docs)
        for name, default in SEED_DEFAULTS.items():
            self.assertIn(name, env)
            self.assertEqual(env[name].get("value"), default, name)
        self.assertEqual(env["RUNTIME"]["value"], "h2o3-mojo-scorer")
        self.assertEqual(env["MODEL_PATH"]["value"], "/models/pipeline.mojo")
        self.assertEqual(env["SCOREHOST_ENV_CACHE"]["value"], "/var/cache/scorehost/envs")
        self.assertEqual(env["DRAIN_TIMEOUT"]["value"], "30")
        self.assertNotIn("DRIVERLESS_AI_LICENSE_KEY", env)

    def test_probes_use_readyz_and_survive_the_drain(self):
        c = container(self.docs)
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            self.assertEqual(c[probe]["httpGet"], {"path": "/readyz", "port": "http"}, probe)
            self.assertGreaterEqual(c[probe]["timeoutSeconds"], 3, probe)
        live = c["livenessProbe"]
        # /readyz is 503 while draining: liveness must not fire within the drain window.
        self.assertGreater(live["periodSeconds"] * live["failureThreshold"], 30)
        # Startup covers model load (and a Python env build): minutes, not seconds.
        start = c["startupProbe"]
        self.assertGreaterEqual(start["periodSeconds"] * start["failureThreshold"], 300)

    def test_graceful_termination_exceeds_prestop_plus_drain(self):
        spec = one(self.docs, "Deployment")["spec"]["template"]["spec"]
        c = container(self.docs)
        self.assertEqual(c["lifecycle"]["preStop"]["exec"]["command"], ["sleep", "5"])
        self.assertGreater(spec["terminationGracePeriodSeconds"], 5 + 30)

    def test_service_and_port(self):
        svc = one(self.docs, "Service")
        self.assertEqual(svc["spec"]["ports"][0]["port"], 8080)
        self.assertEqual(svc["spec"]["ports"][0]["targetPort"], "http")
        self.assertEqual(container(self.docs)["ports"][0], {"name": "http", "containerPort": 8080, "protocol": "TCP"})
        self.assertEqual(svc["spec"]["selector"], one(self.docs, "Deployment")["spec"]["selector"]["matchLabels"])

    def test_native_image_and_metrics_scrape_annotations(self):
        self.assertEqual(container(self.docs)["image"], "scorehost-native:0.1.0")
        ann = one(self.docs, "Deployment")["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(ann["prometheus.io/scrape"], "true")
        self.assertEqual(ann["prometheus.io/port"], "8080")
        self.assertEqual(ann["prometheus.io/path"], "/metrics")

    def test_non_root_read_only_root_with_writable_tmp_and_env_cache(self):
        spec = one(self.docs, "Deployment")["spec"]["template"]["spec"]
        self.assertTrue(spec["securityContext"]["runAsNonRoot"])
        self.assertNotEqual(spec["securityContext"]["runAsUser"], 0)
        c = container(self.docs)
        self.assertTrue(c["securityContext"]["readOnlyRootFilesystem"])
        self.assertFalse(c["securityContext"]["allowPrivilegeEscalation"])
        self.assertEqual(mounts_of(self.docs), [("scorehost-tmp", "/tmp"),
                                                ("scorehost-env-cache", "/var/cache/scorehost/envs")])
        self.assertEqual(volumes_of(self.docs)["scorehost-tmp"], {"name": "scorehost-tmp", "emptyDir": {}})


class SeedVolumesTest(unittest.TestCase):
    def test_seed_yaml_example(self):
        docs = render(SEED_YAML_EXAMPLE)
        vols = volumes_of(docs)
        self.assertEqual(vols["dev-shm"]["ephemeral"]["volumeClaimTemplate"]["spec"], {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
        })  # no storageClassName: the cluster's default storage class
        # One mount at /tmp, and the chart's own /tmp emptyDir steps aside for it.
        self.assertEqual([m for m in mounts_of(docs) if m[1] == "/tmp"], [("dev-shm", "/tmp")])
        self.assertNotIn("scorehost-tmp", vols)

    def test_seed_hocon_example(self):
        docs = render(SEED_HOCON_EXAMPLE_AS_VALUES)
        vols = volumes_of(docs)
        self.assertEqual(
            vols["ephemeral-volume"]["ephemeral"]["volumeClaimTemplate"]["spec"]["resources"],
            {"requests": {"storage": "1Gi"}})
        self.assertNotIn("storageClassName", vols["ephemeral-volume"]["ephemeral"]["volumeClaimTemplate"]["spec"])
        self.assertEqual(vols["emptydir-volume"], {"name": "emptydir-volume", "emptyDir": {"medium": "Memory"}})
        mounts = mounts_of(docs)
        for path in ("/ephemeral_volume_1", "/ephemeral_volume_2"):
            self.assertIn(("ephemeral-volume", path), mounts)
        for path in ("/emptyDir_volume_1", "/emptyDir_volume_2"):
            self.assertIn(("emptydir-volume", path), mounts)
        # One volumeMount per path, no more.
        self.assertEqual(sum(1 for m in mounts if m[0] in ("ephemeral-volume", "emptydir-volume")), 4)

    def test_map_and_list_property_forms_render_the_same(self):
        as_map = copy.deepcopy(SEED_HOCON_EXAMPLE_AS_VALUES)
        as_map["runtimes"]["volumeMounts"][0]["properties"] = {"size": "1Gi"}
        as_map["runtimes"]["volumeMounts"][1]["properties"] = {"medium": "Memory"}
        self.assertEqual(render(as_map), render(SEED_HOCON_EXAMPLE_AS_VALUES))

    def test_storage_class_and_size_limit_when_given(self):
        docs = render({"runtimes": {"volumeMounts": [
            {"name": "scratch", "type": "ephemeral", "properties": {"size": "5Gi", "storageClassName": "fast-ssd"},
             "paths": ["/scratch"]},
            {"name": "shm", "type": "emptyDir", "properties": {"medium": "Memory", "sizeLimit": "512Mi"},
             "paths": ["/dev/shm"]},
            {"name": "plain", "type": "emptyDir", "paths": ["/work"]},
        ]}})
        vols = volumes_of(docs)
        spec = vols["scratch"]["ephemeral"]["volumeClaimTemplate"]["spec"]
        self.assertEqual(spec["storageClassName"], "fast-ssd")
        self.assertEqual(spec["resources"]["requests"]["storage"], "5Gi")
        self.assertEqual(vols["shm"]["emptyDir"], {"medium": "Memory", "sizeLimit": "512Mi"})
        self.assertEqual(vols["plain"]["emptyDir"], {})

    def test_env_cache_volume_replaces_the_default_one(self):
        docs = render({"runtimes": {"volumeMounts": [
            {"name": "env-cache", "type": "ephemeral", "properties": {"size": "20Gi"},
             "paths": ["/var/cache/scorehost"]}]}})
        self.assertNotIn("scorehost-env-cache", volumes_of(docs))
        self.assertIn(("env-cache", "/var/cache/scorehost"), mounts_of(docs))


class BadVolumesTest(RenderFailure):
    def test_unknown_type(self):
        self.assertRenderFails({"runtimes": {"volumeMounts": [{"name": "x", "type": "hostPath", "paths": ["/x"]}]}},
                               "ephemeral", "emptyDir")

    def test_misspelt_property(self):
        self.assertRenderFails({"runtimes": {"volumeMounts": [
            {"name": "x", "type": "ephemeral", "properties": {"size": "1Gi", "storageclass": "a"}, "paths": ["/x"]}]}},
            'unknown property "storageclass"')

    def test_ephemeral_without_size(self):
        self.assertRenderFails({"runtimes": {"volumeMounts": [{"name": "x", "type": "ephemeral", "paths": ["/x"]}]}},
                               "needs properties.size")

    def test_same_path_twice(self):
        self.assertRenderFails({"runtimes": {"volumeMounts": [
            {"name": "a", "type": "emptyDir", "paths": ["/x"]},
            {"name": "b", "type": "emptyDir", "paths": ["/x/"]}]}}, '"/x" is mounted twice')

    def test_names_equal_after_normalising(self):
        self.assertRenderFails({"runtimes": {"volumeMounts": [
            {"name": "a_b", "type": "emptyDir", "paths": ["/x"]},
            {"name": "A-b", "type": "emptyDir", "paths": ["/y"]}]}}, 'two volumes are named "a-b"')


class RuntimeAndLicenseTest(RenderFailure):
    def test_python_runtime_gets_python_image(self):
        docs = render({"runtime": "python-scorer_mlflow_dynamic_311", "model": {"path": "/models/m"}})
        self.assertEqual(container(docs)["image"], "scorehost-python:0.1.0")
        self.assertEqual(env_of(docs)["RUNTIME"]["value"], "python-scorer_mlflow_dynamic_311")

    def test_dai_runtime_without_licence_is_refused(self):
        self.assertRenderFails({"runtime": "dai-mojo-scorer"}, "DRIVERLESS_AI_LICENSE_KEY")
        self.assertRenderFails({"runtime": "python-scorer_dai_pipelines_240"}, "DRIVERLESS_AI_LICENSE_KEY")

    def test_licence_from_existing_secret(self):
        docs = render({"runtime": "dai-mojo-scorer", "license": {"existingSecret": "dai-licence"}})
        self.assertEqual(env_of(docs)["DRIVERLESS_AI_LICENSE_KEY"]["valueFrom"],
                         {"secretKeyRef": {"name": "dai-licence", "key": "license-key"}})
        self.assertNotIn("Secret", [d["kind"] for d in docs])

    def test_licence_key_becomes_a_secret_never_a_plain_env_value(self):
        docs = render({"runtime": "dai-mojo-scorer", "license": {"key": "s3cret"}})
        secret = one(docs, "Secret")
        self.assertEqual(secret["data"]["license-key"], "czNjcmV0")
        env = env_of(docs)["DRIVERLESS_AI_LICENSE_KEY"]
        self.assertNotIn("value", env)
        self.assertEqual(env["valueFrom"]["secretKeyRef"]["name"], secret["metadata"]["name"])

    def test_settings_flow_into_env(self):
        docs = render({"scoring": {"concurrency": 16, "batchWorkers": 0, "timeout": 5,
                                   "rowCountValidation": "warn", "maxWaitingRequests": 100,
                                   "maxQueueDelayUs": 60000000, "warnTimeout": 2.5},
                       "shapley": {"enable": True, "typesEnabled": "TRANSFORMED"},
                       "logLevel": "DEBUG", "server": {"port": 9000, "maxBodySize": 1048576},
                       # Large numbers come to templates as float64: they must not print as 6e+07.
                       "extraEnv": [{"name": "PIP_INDEX_URL", "value": "http://mirror.invalid/simple"}]})
        env = {k: v.get("value") for k, v in env_of(docs).items()}
        self.assertEqual((env["SCORING_CONCURRENCY"], env["BATCH_WORKERS"], env["SCORING_TIMEOUT"]), ("16", "0", "5"))
        self.assertEqual(env["SCORE_ROW_COUNT_VALIDATION"], "warn")
        self.assertEqual(env["MAX_WAITING_REQUESTS"], "100")
        self.assertEqual(env["MAX_QUEUE_DELAY_US"], "60000000")
        self.assertEqual(env["SCORING_WARN_TIMEOUT"], "2.5")
        self.assertEqual((env["SHAPLEY_ENABLE"], env["SHAPLEY_TYPES_ENABLED"]), ("true", "TRANSFORMED"))
        self.assertEqual((env["LOG_LEVEL"], env["PORT"], env["MAX_BODY_SIZE"]), ("DEBUG", "9000", "1048576"))
        self.assertEqual(env["PIP_INDEX_URL"], "http://mirror.invalid/simple")
        self.assertEqual(container(docs)["ports"][0]["containerPort"], 9000)

    def test_schema_rejects_a_bad_setting(self):
        self.assertRenderFails({"scoring": {"rowCountValidation": "lenient"}}, "rowCountValidation")


class TerminationAndAutoscalingTest(RenderFailure):
    def test_grace_period_follows_the_drain_timeout(self):
        docs = render({"server": {"drainTimeoutSeconds": 120}, "probes": {"liveness": {"failureThreshold": 20}}})
        spec = one(docs, "Deployment")["spec"]["template"]["spec"]
        self.assertEqual(spec["terminationGracePeriodSeconds"], 5 + 120 + 10)
        self.assertEqual(env_of(docs)["DRAIN_TIMEOUT"]["value"], "120")

    def test_grace_period_shorter_than_the_drain_is_refused(self):
        self.assertRenderFails({"terminationGracePeriodSeconds": 30}, "must exceed")

    def test_liveness_that_would_kill_a_draining_pod_is_refused(self):
        self.assertRenderFails({"probes": {"liveness": {"periodSeconds": 5, "failureThreshold": 3}}},
                               "periodSeconds x failureThreshold")

    def test_hpa(self):
        docs = render({"autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 7,
                                       "targetCPUUtilizationPercentage": 60}})
        hpa = one(docs, "HorizontalPodAutoscaler")
        self.assertEqual(hpa["apiVersion"], "autoscaling/v2")
        self.assertEqual(hpa["spec"]["scaleTargetRef"],
                         {"apiVersion": "apps/v1", "kind": "Deployment", "name": one(docs, "Deployment")["metadata"]["name"]})
        self.assertEqual((hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]), (2, 7))
        self.assertEqual(hpa["spec"]["metrics"][0]["resource"]["target"], {"type": "Utilization", "averageUtilization": 60})
        # The HPA owns the replica count: the Deployment must not fight it on every upgrade.
        self.assertNotIn("replicas", one(docs, "Deployment")["spec"])

    def test_service_monitor(self):
        docs = render({"metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prom"}}}})
        sm = one(docs, "ServiceMonitor")
        self.assertEqual(sm["apiVersion"], "monitoring.coreos.com/v1")
        self.assertEqual(sm["metadata"]["labels"]["release"], "prom")
        self.assertEqual(sm["spec"]["endpoints"], [{"port": "http", "path": "/metrics", "interval": "30s",
                                                    "scrapeTimeout": "10s"}])
        # It selects the Service by the Service's own labels.
        self.assertLessEqual(sm["spec"]["selector"]["matchLabels"].items(),
                             one(docs, "Service")["metadata"]["labels"].items())
        self.assertEqual(one(docs, "Service")["spec"]["ports"][0]["name"], "http")

    def test_cpu_target_without_cpu_request_is_refused(self):
        # null removes the default cpu request (Helm's way to delete a default key).
        self.assertRenderFails({"autoscaling": {"enabled": True}, "resources": {"requests": {"cpu": None}}},
                               "resources.requests.cpu")


class KubernetesSchemaTest(unittest.TestCase):
    VALUE_SETS = {
        "defaults": None,
        "seed-yaml": SEED_YAML_EXAMPLE,
        "seed-hocon": SEED_HOCON_EXAMPLE_AS_VALUES,
        "everything": {**SEED_HOCON_EXAMPLE_AS_VALUES, "runtime": "dai-mojo-scorer", "license": {"key": "k"},
                       "autoscaling": {"enabled": True}, "serviceAccount": {"create": True},
                       "model": {"path": "/models/m.mojo", "volume": {"persistentVolumeClaim": {"claimName": "models"}}}},
    }

    def versions(self):
        # Every minor the chart declares (kubeVersion >= 1.25) that the schema package knows.
        out = []
        for v in kubernetes_validate.utils.all_versions():
            major, minor = (int(x) for x in v.split(".")[:2])
            if (major, minor) >= (1, 25):
                out.append(v)
        self.assertGreaterEqual(len(out), 5, out)
        return out

    def test_rendered_manifests_are_valid_strict(self):
        versions = self.versions()
        for label, values in self.VALUE_SETS.items():
            docs = render(values)
            for doc in docs:
                for version in versions:
                    with self.subTest(values=label, kind=doc["kind"], k8s=version):
                        kubernetes_validate.validate(doc, version, strict=True)

    def test_validator_rejects_a_misplaced_field(self):
        # The same volume with `storage` one level too high: the validator must catch it, or the
        # test above proves nothing.
        docs = render(SEED_YAML_EXAMPLE)
        deploy = one(docs, "Deployment")
        vol = next(v for v in deploy["spec"]["template"]["spec"]["volumes"] if v["name"] == "dev-shm")
        vol["ephemeral"]["volumeClaimTemplate"]["spec"]["storage"] = "1Gi"
        with self.assertRaises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(deploy, kubernetes_validate.utils.latest_version(), strict=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
