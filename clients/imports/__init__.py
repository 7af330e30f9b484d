"""CSV import of clients, holdings and transactions from core banking.

- Keyed by the core system's ids: clients by ``external_id``; holdings by the
  client's ``external_id`` + ``account_number``; transactions by ``external_ref``.
- A dry run validates every row and reports EVERY bad row (row number, field,
  message; the header is row 1) and writes no data. It refuses everything the real
  run would (the same code parses both).
- A real run is atomic per file: one bad row and nothing is written (the
  report lists every bad row). It is idempotent: a row equal to what is stored
  is counted as unchanged and not written, so re-importing a file changes
  nothing and adds no audit event beyond the import's own.
- Files are UTF-8 (BOM or not) or GB18030, detected or chosen; anything else is
  refused naming the byte offset (``reading``). Uploads are capped at
  ``IMPORT_MAX_BYTES`` and deleted when their job ends (``runner``).
- Files are streamed in batches of ``BATCH`` rows: one lookup query per batch
  and bulk_create / bulk_update, so memory stays flat for large files.
- Personal data is encrypted by the model fields; the blind indexes are set here.
- Manager changes (and the managers of new clients) write coverage history
  rows in bulk with each batch (reason "CSV import <file name>").

Modules: ``reading`` (size, encoding, CSV rows), ``rows`` (typed cells, report),
``kinds`` (one handler per kind), ``runner`` (the run and the jobs). The file format
of each kind is in clients/PORTFOLIO.md.
"""

from .kinds import HANDLERS
from .reading import ENCODING_CHOICES, detect_encoding
from .rows import BATCH, ImportReport
from .runner import (
    ASYNC_BYTES,
    import_files_sweep,
    import_job_confirm,
    import_job_finished,
    import_job_run,
    import_job_run_stored,
    import_job_start,
    import_run,
)

__all__ = [
    "ASYNC_BYTES",
    "BATCH",
    "ENCODING_CHOICES",
    "HANDLERS",
    "ImportReport",
    "detect_encoding",
    "import_files_sweep",
    "import_job_confirm",
    "import_job_finished",
    "import_job_run",
    "import_job_run_stored",
    "import_job_start",
    "import_run",
]
