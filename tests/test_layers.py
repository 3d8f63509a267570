"""Imports point down the layers (docs/architecture.md), checked on the source itself.

The import graph is grimp's (the library import-linter is built on): every ``import`` and
``from ... import`` of the app's packages, those inside functions included. Imports under
``if TYPE_CHECKING:`` are left out (they never run, so they cannot make a cycle at import time);
the app has none today.

Four rules:
- every import points to a module of its own layer or a lower one (``LAYERS``, lowest first);
- no import cycle (a strongly connected set of modules);
- no module imports a ``tasks`` module: services defer jobs by task name, and procrastinate's
  autodiscovery (``App(import_paths=...)`` and Django's app loading) is what loads them;
- the domain app, ``cards``, imports nothing of the apps built on it (``BUILT_ON``) nor the
  screens of governance and team templates: they subscribe to it, it never calls them.

Today's breaches are listed in ``EXCEPTIONS``, each with its reason and who removes it. The
list must only shrink: an import that breaks a rule and is not listed fails, and so does a
listed one that no longer breaks any rule (then delete its line).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every top-level package of the project but the tests and the benchmarks: a new app is checked
# (and fails until its modules are in the table).
PACKAGES = tuple(
    sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks"}
    )
)
DOMAIN = "cards"
BUILT_ON = {"webhooks", "api", "wizard", "sso", "chat"}
# Named in the table before they exist here: they arrive with ev23 (events) and chat23 (chat).
# Delete this line once both are merged.
ARRIVING: set[str] = set()

# THE table. A module sits in the layer of the longest entry that is the module itself or one
# of its packages ("cards.sagemaker.sync" beats "cards.sagemaker").
LAYERS: dict[int, tuple[str, list[str]]] = {
    # The apps' package roots (their __init__, empty): a bare app name covers no submodule.
    0: ("package roots", list(PACKAGES)),
    1: (
        "foundation: SageMaker's document and other pure data, the models, the refusals",
        [
            "cards.content",  # the document: no ORM, no HTTP
            "cards.reports",  # pure parsers of evaluation reports
            "cards.charts",  # chart geometry from numbers
            "cards.console",  # console links from ARNs: strings only
            "cards.errors",  # the refusal vocabulary
            "cards.models",
            "cards.registry_models",
            "cards.target_models",  # a team's AWS target
            "cards.event_kinds",  # the vocabulary: Kind and its public names
            "cards.publishing_models",  # Idempotency-Key records
            "cards.publication_states",
            "cards.indexing",
            "cards.ordered_json",
            "cards.outside_text",
            "cards.outbound",  # HTTP with one deadline; imports nothing of the app
            "cards.migrations",
            "webhooks.models",
            "webhooks.migrations",
            "governance.models",
            "governance.migrations",
            "teamtemplates.models",
            "teamtemplates.migrations",
            "attestations.models",
            "attestations.migrations",
            "attestations.statement",  # the in-toto statement: a document
            "attestations.envelope",  # DSSE: bytes in, bytes out
            "attestations.keys",
            "sso.models",
            "sso.migrations",
            "chat.models",
            "chat.migrations",
            "chat.text",  # plain text and its limits
            "api.models",
            "api.migrations",
            "operations.logs",
            "config.embedded_postgres",  # process helpers that import nothing of the app
            "config.sandbox_file",
            "config.secret_key",
            "config.serving",
            "config.gunicorn",
        ],
    ),
    2: (
        "rules: who may do what, review policies, template definitions, where a webhook may go",
        [
            "cards.permissions",
            "governance.gates",
            "governance.policies",
            "teamtemplates.definition",
            "webhooks.addresses",
        ],
    ),
    3: (
        "services, reads and jobs: every write, the queries pages read, exports, the AWS "
        "adapters services call, events",
        [
            "cards.services",
            "cards.access",
            "cards.listing",
            "cards.display",
            "cards.exports",
            "cards.events",  # event_record
            "cards.jobs",  # retry strategies and database-unavailable errors
            "cards.sagemaker",  # client, s3, kms, look-ups, pickers, fills, drift, lifecycle
            "webhooks.services",
            "governance.services",
            "governance.rereview",
            "governance.display",
            "governance.portfolio",
            "teamtemplates.services",
            "teamtemplates.pinning",  # the version a new card is written under
            "chat.notice",  # what a chat message says, before any service's format
            "attestations.services",
            "sso.discovery",
            "sso.roles",
            "sso.signin",
            "api.tokens",
        ],
    ),
    4: (
        "the worker side: the publish algorithm, SageMaker's events, subscribers, tasks",
        [
            "cards.sagemaker.sync",
            "cards.sagemaker.events",  # SageMaker's state-change events, read by the worker
            "cards.notifications",  # the e-mail subscriber
            "cards.tasks",
            "cards.worker",  # the worker's entry
            "webhooks.delivery",
            "webhooks.tasks",
            "webhooks.subscriber",  # the webhook subscriber
            "governance.tasks",
            "chat.fanout",  # one event -> a message per channel
            # Channel management sends its test message through the subscribers' renderers
            # (slack.message, teams.message), so chat's services sit beside them.
            "chat.services",
            "chat.slack",
            "chat.teams",
            "chat.delivery",
            "chat.tasks",
        ],
    ),
    5: (
        "screens and wiring: views, forms, the wizard, the API, commands, admin, settings",
        [
            "cards.forms",
            "cards.views",
            "cards.urls",
            "cards.admin",
            "cards.apps",
            "cards.signin",  # the lockout page and its audit entry
            "cards.middleware",
            "cards.context_processors",
            "cards.templatetags",
            "cards.management",
            "webhooks.forms",
            "webhooks.views",
            "webhooks.urls",
            "webhooks.admin",
            "webhooks.apps",
            "governance.forms",
            "governance.views",
            "governance.urls",
            "governance.apps",
            "teamtemplates.forms",
            "teamtemplates.views",
            "teamtemplates.urls",
            "teamtemplates.admin",
            "teamtemplates.apps",
            "teamtemplates.management",
            "attestations.apps",
            "attestations.management",
            "operations.apps",
            "operations.middleware",
            "operations.metrics",  # /metrics: reads the database when scraped
            "operations.probes",  # /healthz, /readyz
            "chat.forms",
            "chat.views",
            "chat.urls",
            "chat.admin",
            "chat.apps",
            "sso.backend",  # mozilla-django-oidc's authentication backend
            "sso.context_processors",
            "sso.views",
            "sso.urls",
            "sso.admin",
            "sso.apps",
            "api.api",
            "api.apps",
            "api.admin",
            "api.auth",
            "api.attestations",
            "api.body",
            "api.cards",
            "api.exports",
            "api.history",
            "api.merge",
            "api.problems",
            "api.sagemaker",
            "api.schemas",
            "api.serialize",
            "api.urls",
            "api.views",
            "api.workflow",
            "api.management",
            "wizard.apps",
            "wizard.forms",
            "wizard.picking",
            "wizard.storage",
            "wizard.urls",
            "wizard.views",
            "config.settings",
            "config.urls",
            "config.asgi",
            "config.wsgi",
        ],
    ),
}

# Known breaches, (importer, imported) -> why it is there and who removes it. Shrink only;
# a stale entry fails (test_every_exception_is_still_needed).
EXCEPTIONS: dict[tuple[str, str], str] = {}


def layer_of(module: str, layers: Mapping[int, tuple[str, list[str]]] = LAYERS) -> int | None:
    matches = [
        (len(entry), number)
        for number, (_, entries) in layers.items()
        for entry in entries
        if module == entry or ("." in entry and module.startswith(entry + "."))
    ]
    return max(matches)[1] if matches else None


def build_graph(packages: Iterable[str] = PACKAGES, root: Path = ROOT) -> grimp.ImportGraph:
    # grimp finds a package on sys.path: ``root`` first, so that tests/webhooks (a test
    # package) can never stand in for webhooks.
    saved = sys.path[:]
    sys.path.insert(0, str(root))
    try:
        return grimp.build_graph(*packages, exclude_type_checking_imports=True, cache_dir=None)
    finally:
        sys.path[:] = saved


def imports(graph: grimp.ImportGraph) -> set[tuple[str, str]]:
    return {
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
    }


def is_tasks_module(module: str) -> bool:
    return module.rsplit(".", 1)[-1] == "tasks"


def breaches(
    edges: Iterable[tuple[str, str]],
    layers: Mapping[int, tuple[str, list[str]]] = LAYERS,
    domain: str = DOMAIN,
    built_on: set[str] = BUILT_ON,
) -> dict[tuple[str, str], str]:
    """The imports that point up a layer, at a tasks module or out of the domain app into an
    app built on it, with what is wrong."""
    found = {}
    for importer, imported in edges:
        low, high = layer_of(importer, layers), layer_of(imported, layers)
        app = imported.split(".")[0]
        if low is not None and high is not None and high > low:
            found[(importer, imported)] = f"layer {low} imports layer {high}"
        elif is_tasks_module(imported):
            found[(importer, imported)] = "imports a tasks module"
        elif importer.split(".")[0] == domain and (
            app in built_on or (app != domain and high == max(layers))
        ):
            found[(importer, imported)] = f"the domain app imports {app}, built on it"
    return found


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected sets of more than one module (Tarjan's algorithm, iterative)."""
    graph: dict[str, list[str]] = {}
    for importer, imported in edges:
        graph.setdefault(importer, []).append(imported)
        graph.setdefault(imported, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def on_a_cycle(edges: set[tuple[str, str]]) -> set[tuple[str, str]]:
    members = {module: n for n, cycle in enumerate(cycles(edges)) for module in cycle}
    return {(a, b) for a, b in edges if a in members and members[a] == members.get(b, object())}


def function_level_imports(packages: Iterable[str] = PACKAGES) -> list[str]:
    """``path:line`` of every import inside a function, for the docs' counts."""
    found = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    for node in ast.walk(function):
                        if isinstance(node, ast.Import | ast.ImportFrom):
                            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return sorted(set(found))


@pytest.fixture(scope="module")
def edges() -> set[tuple[str, str]]:
    return imports(build_graph())


def test_every_module_has_a_layer(edges):
    modules = {module for edge in edges for module in edge} | set(build_graph().modules)
    unplaced = sorted(module for module in modules if layer_of(module) is None)
    assert not unplaced, f"add these to LAYERS in {__file__}: {unplaced}"


def test_every_entry_of_the_table_names_a_module():
    modules = build_graph().modules
    entries = [entry for _, listed in LAYERS.values() for entry in listed]
    assert len(entries) == len(set(entries)), "an entry is in two layers"
    arriving = {e for e in entries if e in ARRIVING or e.split(".")[0] in ARRIVING}
    unknown = [e for e in entries if e not in modules and e not in arriving]
    assert not unknown, f"no such module: {unknown}"


def test_imports_point_down_the_layers_and_never_at_a_tasks_module(edges):
    found = breaches(edges)
    new = {edge: why for edge, why in found.items() if edge not in EXCEPTIONS}
    assert not new, "imports that break the layers:\n" + "\n".join(
        f"  {a} -> {b}: {why}" for (a, b), why in sorted(new.items())
    )


def test_there_is_no_import_cycle(edges):
    found = cycles(edges - set(EXCEPTIONS))
    assert not found, "import cycles:\n" + "\n".join(f"  {' -> '.join(c)}" for c in found)


def test_every_exception_is_still_needed(edges):
    needed = set(breaches(edges)) | on_a_cycle(edges)
    stale = sorted(set(EXCEPTIONS) - needed)
    assert not stale, f"these imports break no rule now: delete them from EXCEPTIONS: {stale}"


def test_the_checks_find_an_upward_import_a_tasks_import_and_a_cycle(tmp_path):
    for name, text in {
        "house/__init__.py": "",
        "house/low/__init__.py": "",
        "house/low/models.py": "def f():\n    from house import views\n",  # up, in a function
        "house/views.py": "from house.low import models\nfrom house import tasks\n",
        "house/tasks.py": "",
        "house/rules.py": "from plugin import hooks\n",  # the domain calls an app built on it
        "plugin/__init__.py": "",
        "plugin/hooks.py": "from house.low import models\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    layers = {
        1: ("low", ["house.low", "house.rules", "plugin.hooks"]),
        2: ("high", ["house.views", "house.tasks"]),
    }
    edges = imports(build_graph(["house", "plugin"], root=tmp_path))
    assert breaches(edges, layers, domain="house", built_on={"plugin"}) == {
        ("house.low.models", "house.views"): "layer 1 imports layer 2",
        ("house.views", "house.tasks"): "imports a tasks module",
        ("house.rules", "plugin.hooks"): "the domain app imports plugin, built on it",
    }
    assert cycles(edges) == [["house.low.models", "house.views"]]
    assert on_a_cycle(edges) == {
        ("house.low.models", "house.views"),
        ("house.views", "house.low.models"),
    }
