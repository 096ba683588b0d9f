"""The deployment recipes agree with the code: versions, images, topics, ports, flags, env vars, metrics.

No Docker engine or cluster runs here, so deploy/Dockerfile, deploy/compose.yaml and deploy/k8s/ are
checked by reading them: every YAML parses, and every name a recipe shares with the code (the Beam pin,
the Flink line, topic names and settings, the monitor's port and paths, `newsbeam` command lines, NEWSBEAM_*
variables, metric names) is taken from the code here, so a rename cannot leave a recipe stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apache_beam
import click
import pytest
import yaml
from apache_beam.options.pipeline_options import PipelineOptions

import pipeline.options  # noqa: F401  (registers NewsbeamOptions with Beam's option parser)
from connectors.kafka_topics import TopicNames, default_specs, min_insync_replicas
from pipeline.cli import main as cli_main
from pipeline.runner_choice import FLINK_CLUSTER_DEFAULTS, FLINK_VERSION

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
FLINK_CLUSTER = DEPLOY / "flink" / "cluster.yaml"
LOCAL_FLINK = DEPLOY / "local" / "flink"
CODE = [*REPO.glob("pipeline/**/*.py"), *REPO.glob("connectors/**/*.py"), *REPO.glob("transforms/**/*.py")]
PREFIX = "news"  # the topic prefix every recipe runs with (the CLI's default)


def _pinned_beam() -> str:
    match = re.search(r'"apache-beam==([0-9.]+)"', (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert match, "pyproject.toml pins apache-beam==X"
    return match.group(1)


PINNED_BEAM = _pinned_beam()


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def _k8s_documents() -> list[dict[str, Any]]:
    """The Kubernetes resources (kustomization.yaml is kustomize's list of them, not a resource)."""
    paths = [path for path in sorted(K8S.glob("*.yaml")) if path.name != "kustomization.yaml"]
    return [doc for path in paths for doc in _documents(path)]


def _compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _containers(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every container spec in a Kubernetes document, whatever kind wraps it."""
    if isinstance(document, dict):
        if "image" in document and "name" in document:
            yield document
        for value in document.values():
            yield from _containers(value)  # type: ignore[arg-type]
    elif isinstance(document, list):
        for item in document:
            yield from _containers(item)


def _images() -> list[str]:
    images = [service["image"] for service in _compose()["services"].values()]
    images += [container["image"] for doc in _k8s_documents() for container in _containers(doc)]
    images += [doc["spec"]["image"] for doc in _k8s_documents() if doc.get("kind") == "FlinkDeployment"]
    return images


def _newsbeam_commands() -> list[list[str]]:
    """Every `newsbeam ...` argument list in compose and k8s (entrypoint/command + command/args)."""
    commands = []
    for service in _compose()["services"].values():
        if service.get("entrypoint") == ["newsbeam"]:
            commands.append([str(arg) for arg in service["command"]])
    for doc in _k8s_documents():
        for container in _containers(doc):
            if container.get("command") == ["newsbeam"]:
                commands.append([str(arg) for arg in container["args"]])
    return commands


def _flag(args: list[str], name: str) -> str:
    for arg in args:
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{name} missing from {args}")


# ------------------------------------------------------------------------------------------------ parsing


def test_every_manifest_parses() -> None:
    paths = [COMPOSE, *sorted(K8S.glob("*.yaml")), *sorted((DEPLOY / "monitoring").glob("*.yml"))]
    assert len(paths) >= 8
    for path in paths:
        assert _documents(path), f"{path} holds no YAML document"
    kinds = {doc["kind"] for doc in _k8s_documents()}
    assert {
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
        "FlinkDeployment",
        "Deployment",
        "Service",
        "Job",
    } <= kinds


def test_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))["resources"])
    present = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


# ------------------------------------------------------------------------------------ versions and images


def test_images_follow_the_beam_pin_and_the_flink_line() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert f"ARG BEAM_VERSION={PINNED_BEAM}\n" in dockerfile
    assert "FROM apache/beam_python3.11_sdk:${BEAM_VERSION}" in dockerfile
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert f"BEAM_VERSION := {PINNED_BEAM}" in makefile
    images = _images()
    assert images
    for image in images:
        name, _, tag = image.partition(":")
        if name == "newsbeam":  # built from deploy/Dockerfile, tagged with the Beam release it carries
            assert tag == PINNED_BEAM, image
        elif name.startswith("apache/beam_flink"):
            assert name == f"apache/beam_flink{FLINK_VERSION}_job_server" and tag == PINNED_BEAM, image
        elif name == "flink":
            assert tag.startswith(f"{FLINK_VERSION}-"), image
        else:
            assert name in {"apache/kafka", "prom/prometheus", "grafana/grafana"}, image
    flink = [doc for doc in _k8s_documents() if doc["kind"] == "FlinkDeployment"]
    assert [doc["spec"]["flinkVersion"] for doc in flink] == ["v" + FLINK_VERSION.replace(".", "_")]


def test_the_flink_job_server_script_fetches_the_runner_line_the_code_expects() -> None:
    script = (DEPLOY / "local" / "flink-job-server").read_text(encoding="utf-8")
    assert f'FLINK_VERSION="${{FLINK_VERSION:-{FLINK_VERSION}}}"' in script
    from pipeline.runner_choice import flink_job_server_jar

    jar = flink_job_server_jar("9.9.9")
    assert jar.parent.name == f"beam-flink-{FLINK_VERSION}-job-server-9.9.9"
    assert jar.name == f"beam-runners-flink-{FLINK_VERSION}-job-server-9.9.9.jar"
    assert 'HOME_DIR="$CACHE/beam-flink-$FLINK_VERSION-job-server-$BEAM_VERSION"' in script
    assert 'JAR="$HOME_DIR/beam-runners-flink-$FLINK_VERSION-job-server-$BEAM_VERSION.jar"' in script


# ---------------------------------------------------------------------------------------------- topics


def test_strimzi_topics_are_the_pipelines_topics_with_its_settings() -> None:
    topics = {doc["metadata"]["name"]: doc["spec"] for doc in _k8s_documents() if doc["kind"] == "KafkaTopic"}
    replication = int(
        _flag(
            next(c for c in _newsbeam_commands() if c[0] == "run" and "--replication-factor=3" in c),
            "--replication-factor",
        )
    )
    specs = default_specs(TopicNames(PREFIX), replication_factor=replication)
    assert set(topics) == set(TopicNames(PREFIX).all())
    for name, spec in specs.items():
        declared = topics[name]
        assert declared["partitions"] == spec.partitions, name
        assert declared["replicas"] == spec.replication_factor, name
        assert {k: str(v) for k, v in (declared.get("config") or {}).items()} == spec.configs, name


def _local_kafka_version() -> str:
    match = re.search(
        r"^KAFKA_VERSION=([0-9.]+)", (DEPLOY / "local" / "kafka").read_text(encoding="utf-8"), re.M
    )
    assert match, "deploy/local/kafka pins KAFKA_VERSION"
    return match.group(1)


def test_every_run_replicates_three_times() -> None:
    runs = [c for c in _newsbeam_commands() if c[0] == "run"]
    assert runs and {_flag(c, "--replication-factor") for c in runs} == {"3"}


def test_compose_runs_the_three_node_cluster_the_local_script_runs() -> None:
    services = _compose()["services"]
    nodes = {name: service for name, service in services.items() if name.startswith("kafka")}
    assert sorted(nodes) == ["kafka-1", "kafka-2", "kafka-3"]
    voters = ",".join(f"{i}@kafka-{i}:9093" for i in (1, 2, 3))
    cluster_ids = set()
    for name, service in nodes.items():
        env = {k: str(v) for k, v in service["environment"].items()}
        node = name.removeprefix("kafka-")
        assert service["image"] == f"apache/kafka:{_local_kafka_version()}", name
        assert env["KAFKA_NODE_ID"] == node and env["KAFKA_PROCESS_ROLES"] == "broker,controller", name
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092", name
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters, name
        # topics and the brokers' own (offsets, transactions): 3 copies, acknowledged by the majority
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3", name
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3", name
        assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3", name
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == str(min_insync_replicas(3)), name
        assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == str(min_insync_replicas(3)), name
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", name
        assert env["KAFKA_HEAP_OPTS"].split()[0] == "-Xmx512m", name
        assert name + "-data" in _compose()["volumes"], name
        cluster_ids.add(env["CLUSTER_ID"])
    assert len(cluster_ids) == 1
    clients = [s for s in services.values() if s.get("entrypoint") == ["newsbeam"]]
    assert clients and all(
        _flag([str(a) for a in s["command"]], "--bootstrap-servers")
        == "kafka-1:9092,kafka-2:9092,kafka-3:9092"
        for s in clients
    )


def test_strimzi_runs_the_same_cluster() -> None:
    [kafka] = [doc for doc in _k8s_documents() if doc["kind"] == "Kafka"]
    [pool] = [doc for doc in _k8s_documents() if doc["kind"] == "KafkaNodePool"]
    assert kafka["spec"]["kafka"]["version"] == _local_kafka_version()
    assert pool["spec"]["replicas"] == 3 and set(pool["spec"]["roles"]) == {"controller", "broker"}
    config = {k: str(v) for k, v in kafka["spec"]["kafka"]["config"].items()}
    assert config["default.replication.factor"] == config["offsets.topic.replication.factor"] == "3"
    assert config["transaction.state.log.replication.factor"] == "3"
    assert (
        config["min.insync.replicas"]
        == config["transaction.state.log.min.isr"]
        == str(min_insync_replicas(3))
    )
    assert config["auto.create.topics.enable"].lower() == "false"


def test_min_insync_replicas_is_a_majority() -> None:
    assert [min_insync_replicas(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]
    specs = default_specs(TopicNames(PREFIX), replication_factor=3)
    assert {spec.configs["min.insync.replicas"] for spec in specs.values()} == {"2"}
    assert {spec.configs["min.insync.replicas"] for spec in default_specs(TopicNames(PREFIX)).values()} == {
        "1"
    }


def test_every_recipe_uses_the_same_topic_prefix() -> None:
    commands = _newsbeam_commands()
    assert {c[0] for c in commands} == {"run", "monitor"}
    assert {_flag(c, "--topic-prefix") for c in commands} == {PREFIX}
    assert TopicNames().prefix == PREFIX


# ------------------------------------------------------------------------------------------ command lines


def _beam_parser_rejects(args: list[str]) -> list[str]:
    """The flags of a `newsbeam run` command line that neither newsbeam nor Beam knows."""
    unknown = PipelineOptions(args).get_all_options(retain_unknown_options=True)
    known = PipelineOptions([]).get_all_options()
    return sorted(key for key in unknown if key not in known)


def test_newsbeam_command_lines_parse_with_the_real_cli() -> None:
    commands = _newsbeam_commands()
    assert len(commands) == 4  # compose: submit, monitor; k8s: submit Job, monitor Deployment
    for args in commands:
        command = cli_main.get_command(click.Context(cli_main), args[0])
        assert command is not None, args[0]
        if args[0] == "run":  # `run` hands everything to Beam's option parser: every flag must be known there
            assert _beam_parser_rejects(args[1:]) == [], args
            options = PipelineOptions(args[1:]).get_all_options()
            assert options["runner"] == "PortableRunner" and options["environment_type"] == "EXTERNAL"
            assert (
                Path(options["feeds"]).relative_to("/opt/newsbeam").as_posix() == "deploy/feeds/default.yaml"
            )
            assert (REPO / "deploy" / "feeds" / "default.yaml").is_file()
        else:
            with command.make_context(args[0], args[1:]) as context:  # click raises on an unknown option
                assert context.params["port"] == 8080 and context.params["host"] == "0.0.0.0"


def test_an_unknown_flag_is_caught() -> None:
    # the check above can fail: a misspelt flag is reported
    assert _beam_parser_rejects(["--topic-prefix=news", "--job_endpointt=x:1"]) == ["job_endpointt"]
    monitor = cli_main.get_command(click.Context(cli_main), "monitor")
    assert monitor is not None
    with pytest.raises(click.NoSuchOption):
        monitor.make_context("monitor", ["--portt=8080"])


def test_workers_reach_the_worker_pool_the_recipes_start() -> None:
    compose = _compose()["services"]
    taskmanagers = sorted(
        name for name, service in compose.items() if service.get("command") == "taskmanager"
    )
    assert taskmanagers == ["flink-taskmanager-1", "flink-taskmanager-2"]
    pools = {
        name: service for name, service in compose.items() if service.get("command") == ["--worker_pool"]
    }
    # one pool beside each task manager, in its network namespace
    assert sorted(pool["network_mode"] for pool in pools.values()) == [f"service:{tm}" for tm in taskmanagers]
    sidecars = [c for d in _k8s_documents() for c in _containers(d) if c.get("args") == ["--worker_pool"]]
    assert [port["containerPort"] for c in sidecars for port in c["ports"]] == [50000]
    for args in (c for c in _newsbeam_commands() if c[0] == "run"):
        assert _flag(args, "--environment_config") == "localhost:50000"
        job_endpoint = _flag(args, "--job_endpoint")
        assert job_endpoint.startswith("beam-job-server:")
        assert job_endpoint.endswith(":8099") and _flag(args, "--artifact_endpoint").endswith(":8098")


# ------------------------------------------------------------------------------------ ports and metrics


def test_monitor_port_agrees_everywhere() -> None:
    prometheus = yaml.safe_load((DEPLOY / "monitoring" / "prometheus.yml").read_text(encoding="utf-8"))
    targets = [t for job in prometheus["scrape_configs"] for c in job["static_configs"] for t in c["targets"]]
    monitor_ports = {_flag(c, "--port") for c in _newsbeam_commands() if c[0] == "monitor"}
    assert monitor_ports == {"8080"}
    assert targets == ["127.0.0.1:8080"]  # compose: Prometheus shares the monitor's network namespace
    assert prometheus["scrape_configs"][0]["metrics_path"] == "/metrics"
    services = _compose()["services"]
    assert services["prometheus"]["network_mode"] == "service:monitor"
    assert "127.0.0.1:8080:8080" in services["monitor"]["ports"]
    for doc in _k8s_documents():
        if doc["metadata"]["name"] != "newsbeam-monitor":
            continue
        annotations = doc["metadata"].get("annotations") or doc["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == "8080" and annotations["prometheus.io/path"] == "/metrics"
        ports = (
            doc["spec"]["ports"]
            if doc["kind"] == "Service"
            else doc["spec"]["template"]["spec"]["containers"][0]["ports"]
        )
        assert {p.get("targetPort", p.get("containerPort")) for p in ports} == {8080}
    service_code = (REPO / "pipeline" / "monitor" / "service.py").read_text(encoding="utf-8")
    assert 'path == "/metrics"' in service_code


def test_no_recipe_publishes_a_port_to_every_interface() -> None:
    # compose: every published port names the host's loopback; Kubernetes: every Service stays in the
    # cluster, Flink's REST API (it accepts jobs) included
    published = {
        name: service.get("ports", [])
        for name, service in _compose()["services"].items()
        if service.get("ports")
    }
    assert set(published) == {"flink-jobmanager", "monitor", "grafana"}
    for name, ports in published.items():
        assert all(str(port).startswith("127.0.0.1:") for port in ports), (name, ports)
    services = [doc for doc in _k8s_documents() if doc["kind"] == "Service"]
    assert services and all(doc["spec"].get("type", "ClusterIP") == "ClusterIP" for doc in services)
    [flink] = [doc for doc in _k8s_documents() if doc["kind"] == "FlinkDeployment"]
    assert flink["spec"]["flinkConfiguration"]["kubernetes.rest-service.exposed.type"] == "ClusterIP"
    assert not [doc for doc in _k8s_documents() if doc["kind"] == "Ingress"]


def test_compose_mounts_files_that_exist() -> None:
    for service in _compose()["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), volume


def test_metric_names_in_deploy_are_ones_the_monitor_renders() -> None:
    rendered = (REPO / "pipeline" / "monitor" / "metrics.py").read_text(encoding="utf-8")
    referenced: set[str] = set()
    for path in [*DEPLOY.rglob("*.yml"), *DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.json")]:
        referenced |= set(re.findall(r"\bnewsbeam_[a-z_]+[a-z]", path.read_text(encoding="utf-8")))
    assert referenced, "the dashboards and alerts reference the monitor's metrics"
    # a histogram or counter family is referenced with Prometheus' suffixes
    families = {re.sub(r"_(bucket|sum|count|total|created)$", "", name) for name in referenced}
    missing = sorted(name for name in families if f'"{name}"' not in rendered)
    assert missing == [], (
        f"metrics referenced in deploy/ that pipeline/monitor/metrics.py does not render: {missing}"
    )


def test_environment_variables_in_recipes_are_read_by_the_code() -> None:
    code = "\n".join(path.read_text(encoding="utf-8") for path in CODE)
    recipes = COMPOSE.read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in K8S.glob("*.yaml")
    )
    names = set(re.findall(r"\bNEWSBEAM_[A-Z_]+\b", recipes))
    for name in names:
        assert name in code, f"{name} is set by a recipe but read nowhere"


def test_the_image_installs_what_workers_import() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    for package in ("pipeline", "connectors", "transforms"):
        assert f"COPY {package} ./{package}" in dockerfile
    assert "pip install --no-cache-dir ." in dockerfile
    assert "ENTRYPOINT" not in "".join(line for line in dockerfile.splitlines() if not line.startswith("#"))
    assert apache_beam.__version__  # the SDK the tests run is the one the image's tag names, when pinned


# ------------------------------------------------------------------------------------ the Flink cluster


def _cluster_settings() -> dict[str, str]:
    """deploy/flink/cluster.yaml, the settings every newsbeam Flink cluster shares, as Flink reads them."""
    settings = yaml.safe_load(FLINK_CLUSTER.read_text(encoding="utf-8"))
    return {
        key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in settings.items()
    }


def _compose_flink_properties() -> dict[str, dict[str, str]]:
    """FLINK_PROPERTIES of every Flink service in compose, parsed."""
    found = {}
    for name, service in _compose()["services"].items():
        if str(service.get("image", "")).startswith("flink:"):
            parsed = yaml.safe_load(service["environment"]["FLINK_PROPERTIES"])
            found[name] = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in parsed.items()}
    return found


def _flink_deployment() -> dict[str, Any]:
    [flink] = [doc for doc in _k8s_documents() if doc["kind"] == "FlinkDeployment"]
    return flink


def test_every_flink_cluster_has_the_settings_the_local_cluster_ran_with() -> None:
    shared = _cluster_settings()
    assert shared["restart-strategy.type"] == "fixed-delay" and shared["state.backend.type"] == "hashmap"
    assert "deploy/flink/cluster.yaml" in LOCAL_FLINK.read_text(
        encoding="utf-8"
    )  # the local cluster's config
    compose = _compose_flink_properties()
    assert sorted(compose) == ["flink-jobmanager", "flink-taskmanager-1", "flink-taskmanager-2"]
    for name, properties in compose.items():
        assert {key: properties.get(key) for key in shared} == shared, name
    k8s = {key: str(value) for key, value in _flink_deployment()["spec"]["flinkConfiguration"].items()}
    assert {key: k8s.get(key) for key in shared} == shared


def test_a_lost_taskmanager_leaves_enough_slots_for_the_job() -> None:
    shared = _cluster_settings()
    slots = int(shared["taskmanager.numberOfTaskSlots"])
    assert int(shared["parallelism.default"]) == FLINK_CLUSTER_DEFAULTS.parallelism <= slots
    assert _flink_deployment()["spec"]["taskManager"]["replicas"] == 2
    for args in (c for c in _newsbeam_commands() if c[0] == "run"):
        assert int(_flag(args, "--parallelism")) == FLINK_CLUSTER_DEFAULTS.parallelism <= slots


def test_cluster_jobs_run_with_the_options_the_code_gives_a_cluster_run() -> None:
    # the recipes submit with PortableRunner, which gets no defaults from pipeline/runner_choice.py: they
    # state the ones a FlinkRunner run on a cluster gets
    for args in (c for c in _newsbeam_commands() if c[0] == "run"):
        options = PipelineOptions(args[1:]).get_all_options()
        assert options["environment_type"] == FLINK_CLUSTER_DEFAULTS.environment_type
        assert options["environment_config"] == FLINK_CLUSTER_DEFAULTS.environment_config
        assert options["checkpointing_interval"] == FLINK_CLUSTER_DEFAULTS.checkpointing_interval_ms


def test_checkpoints_are_on_storage_every_flink_process_shares() -> None:
    directory = "/flink-data/checkpoints"
    services = {
        n: s for n, s in _compose()["services"].items() if str(s.get("image", "")).startswith("flink:")
    }
    for name, properties in _compose_flink_properties().items():
        assert properties["state.checkpoints.dir"] == f"file://{directory}", name
        assert "flink-data:/flink-data" in services[name]["volumes"], name
    assert "flink-data" in _compose()["volumes"]
    spec = _flink_deployment()["spec"]
    assert spec["flinkConfiguration"]["state.checkpoints.dir"] == f"file://{directory}"
    claims = set()
    for role in ("jobManager", "taskManager"):
        pod = spec[role]["podTemplate"]["spec"]
        [main] = [c for c in pod["containers"] if c["name"] == "flink-main-container"]
        assert {"name": "flink-data", "mountPath": "/flink-data"} in main["volumeMounts"], role
        claims |= {
            v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if v["name"] == "flink-data"
        }
    [claim] = claims
    [pvc] = [
        d for d in _k8s_documents() if d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] == claim
    ]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]


def test_the_local_cluster_runs_the_flink_release_of_the_runner_line() -> None:
    script = LOCAL_FLINK.read_text(encoding="utf-8")
    match = re.search(r"^FLINK_VERSION=([0-9.]+)", script, re.MULTILINE)
    assert match and match.group(1).startswith(FLINK_VERSION + "."), match
    # its classes come from Maven, the same artifacts as the job server's runner depends on
    assert "<artifactId>flink-clients</artifactId><version>$FLINK_VERSION</version>" in script
