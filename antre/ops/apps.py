from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running antre: health, readiness, metrics, request logs, worker heartbeats.

    Domain-free: it counts domain events through model signals named by
    label (no domain imports) and reads a few domain tables at scrape time.
    """

    name = "antre.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from antre.ops import logging as ops_logging
        from antre.ops import signals

        signals.connect()
        ops_logging.connect_request_log_signals()
