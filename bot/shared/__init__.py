"""What several features use: periods and weekday names (``periods``), the one CSV writer
and its cell rule (``cells``), checks of typed text (``text``), and the chat pickers and the
stale-menu answer (``pickers``)."""
