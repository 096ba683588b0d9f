"""``newsbeam monitor``: a dashboard, Prometheus metrics and a health check built from the topics."""
