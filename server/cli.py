"""The `anxin` command: serve, token, kb index, chat, eval run."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import typer

from server.settings import Settings

app = typer.Typer(
    help="Anxin (安心): customer-support assistant for securities brokerages.",
    no_args_is_help=True,
    add_completion=False,
)
kb_app = typer.Typer(help="Knowledge base.", no_args_is_help=True)
eval_app = typer.Typer(help="Eval suites.", no_args_is_help=True)
classifier_app = typer.Typer(help="Intent classifier backends.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(eval_app, name="eval")
app.add_typer(classifier_app, name="classifier")


@app.command()
def serve(
    host: str = typer.Option(None, help="Overrides ANXIN_HOST."),
    port: int = typer.Option(None, help="Overrides ANXIN_PORT."),
) -> None:
    """Start the HTTP service."""
    import uvicorn

    from agent.errors import SetupError
    from server.app import create_app
    from server.logging_setup import configure_logging
    from server.services import load_escalation

    settings = Settings()
    configure_logging(settings.log_level)
    try:  # a broken policy file is a set-up error, said before the server starts
        load_escalation(settings)
    except SetupError as exc:
        typer.echo(f"anxin: {exc}", err=True)
        raise typer.Exit(2) from exc
    host, port = host or settings.host, port or settings.port
    logging.getLogger("server").info(
        "Anxin on http://%s:%d (data in %s); /readyz answers 200 once the knowledge base is loaded",
        host,
        port,
        settings.data_dir.resolve(),
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", access_log=False)


@app.command()
def token(
    role: str = typer.Option("client", help="client, agent, advisor or admin."),
    sub: str = typer.Option(..., help="The caller's id, e.g. the client id C001."),
    ttl_minutes: int = typer.Option(None, help="Lifetime; default ANXIN_TOKEN_TTL_MINUTES."),
) -> None:
    """Print a bearer token signed with the service's secret."""
    from server.auth import ROLES, issue_token

    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}", param_hint="--role")
    if not 0 < len(sub) <= 64:
        raise typer.BadParameter("must be 1–64 characters", param_hint="--sub")
    settings = Settings()
    if ttl_minutes is not None and ttl_minutes < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--ttl-minutes")
    typer.echo(
        issue_token(settings.signing_secret(), sub, role, ttl_minutes or settings.token_ttl_minutes)
    )


@kb_app.command("index")
def kb_index() -> None:
    """Index new and changed articles (unchanged ones are skipped), and train the classifier if
    its examples changed."""
    from tqdm import tqdm

    from server import classifier_store, knowledge_base

    settings = Settings()
    embedder = knowledge_base.make_embedder(settings)
    store = knowledge_base.open_store(settings, embedder)
    report = knowledge_base.index_articles(
        settings,
        embedder,
        store,
        progress=lambda items: tqdm(
            items, desc="embedding articles", unit="article", file=sys.stderr
        ),
    )
    typer.echo(
        f"{report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged; {report.chunks_embedded} chunks embedded; "
        f"{store.count()} chunks in '{store.collection_name}'."
    )
    if settings.classifier != "none":  # every backend uses the local one too
        classifier_store.load_or_train(settings.data_dir, embedder)
        path = classifier_store.classifier_path(settings.data_dir.resolve(), embedder)
        typer.echo(f"classifier ready: {path.name}")
    from server.services import load_scenarios

    typer.echo(f"scenarios ready: {len(load_scenarios(settings, embedder).scenarios)}")


@app.command()
def chat() -> None:
    """Chat with the Assistant in the terminal (same pipeline as the service)."""
    from server.chat import run_chat

    run_chat(Settings())


@classifier_app.command("train")
def classifier_train(
    backend: str = typer.Option(
        "transformers", help="transformers (the local backend trains itself at `anxin kb index`)."
    ),
    base: Path = typer.Option(
        ..., exists=True, file_okay=False, help="Local base model directory with its tokenizer."
    ),
    out: Path = typer.Option(..., file_okay=False, help="Where to save the fine-tuned checkpoint."),
    epochs: int = typer.Option(4, min=1, help="Passes over the intent examples."),
    batch_size: int = typer.Option(16, min=1, help="Examples per optimiser step."),
    learning_rate: float = typer.Option(5e-5, min=1e-7, max=1.0, help="Peak learning rate."),
) -> None:
    """Fine-tune an intent checkpoint on the shipped examples (CPU; nothing is downloaded)."""
    from agent.errors import SetupError

    if backend != "transformers":
        raise typer.BadParameter("only 'transformers' is trained here", param_hint="--backend")
    from agent.classify.finetune import FineTuneOptions, fine_tune

    def show(epoch: int, loss: float) -> None:
        typer.echo(f"epoch {epoch}/{epochs}: loss {loss:.4f}", err=True)

    options = FineTuneOptions(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate)
    try:
        report = fine_tune(base, out, options=options, progress=show)
    except SetupError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    accuracy = "n/a" if report.held_out_accuracy is None else f"{report.held_out_accuracy:.3f}"
    typer.echo(
        f"saved to {out}: {report.labels} intents, {report.trained_on} examples trained, "
        f"held-out accuracy {accuracy} on {report.held_out}, temperature {report.temperature}, "
        f"{report.seconds:.0f} s"
    )
    typer.echo(f"use it with ANXIN_CLASSIFIER=transformers ANXIN_CLASSIFIER_MODEL_DIR={out}")


@eval_app.command("classifier")
def eval_classifier(
    dataset: str = typer.Option(..., help="banking77, clinc150 or ours."),
    path: Path = typer.Option(
        None,
        help="Dataset directory: banking77 or clinc150 files, or for ours a directory with "
        "intents-test.yaml, emotions-test.yaml and optionally emotions-test-2.yaml; default "
        "../shared/datasets and evals/data.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Train the local classifier on a dataset's train split and score its test split."""
    from evals.classifier_bench import run_benchmark
    from evals.datasets import LOADERS
    from server import knowledge_base

    if dataset not in (*LOADERS, "ours"):
        raise typer.BadParameter(
            f"choose one of {', '.join(LOADERS)}, ours", param_hint="--dataset"
        )
    embedder = knowledge_base.make_embedder(Settings())
    if dataset == "ours":  # the service's whole classifier: intents, emotions, flags
        from evals.classifier_bench import run_ours

        result = run_ours(embedder.embed_queries, path)
    else:
        data = LOADERS[dataset](path) if path else LOADERS[dataset]()
        result = run_benchmark(data, embedder.embed_queries)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            typer.echo(f"{key:>14}: {value}")


@eval_app.command("run")
def eval_run(
    suite: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A suite file, e.g. evals/suites/retrieval.yaml."
    ),
    report: Path = typer.Option(
        None, help="Where to write the JSON report; default evals/reports/<suite>-<time>.json."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Run an eval suite in-process, print a table and write a JSON report."""
    from pydantic import ValidationError

    from evals.runner import run_suite_file
    from evals.suite import load_suite
    from server.evaluation import assistant_for_evals

    try:
        load_suite(suite)
    except (ValidationError, ValueError) as exc:
        raise typer.BadParameter(f"not a valid suite: {exc}", param_hint="SUITE") from exc
    loaded = load_suite(suite)
    if loaded.conversational:  # queues and people: through the service itself
        from evals.escalation import run_suite as run_conversations
        from server.evaluation import ServiceConversations

        with ServiceConversations(Settings()) as driver:
            result = run_conversations(loaded, driver)
    else:
        result = run_suite_file(suite, assistant_for_evals(Settings()))
    path = result.write_report(report)
    if as_json:
        typer.echo(json.dumps(result.summary(), ensure_ascii=False))
    else:
        typer.echo(result.table())
        typer.echo(f"report: {path}")
    raise typer.Exit(0 if result.passed else 1)
