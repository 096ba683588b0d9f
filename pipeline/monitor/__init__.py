"""The monitor: the pipeline's health, built only from the messages on its topics and consumer lag.

``state`` (what the messages say, no I/O) → ``metrics`` (``/metrics``), ``screen`` (``newsbeam status``);
``snapshot`` reads the topics once for ``status``; ``service`` keeps a state current and serves the
dashboard, ``/metrics``, ``/healthz`` and ``/api/...`` for ``newsbeam monitor``.
"""
