"""Reports: PDF documents, Excel exports of them, schedules and their delivery by e-mail."""
