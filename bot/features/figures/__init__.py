"""The commune's figures (/stats): statistics, charts, the XLSX workbook and CSV files, the
draft summary report (DOCX), and the figures CLI.

``figures.py`` collects; ``texts.py``, ``chart.py`` say and draw; ``workbook.py`` and
``csvfiles.py`` build the tables, ``xlsx.py``, ``docx.py`` and ``summary.py`` write files.
"""
