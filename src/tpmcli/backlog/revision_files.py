"""Reading and parsing the item files of listed revisions, with git and parsing overlapped.

``backlog.revision`` lists each revision (its config, its item files, which blobs the parse
cache knows); a ``RevisionReader`` then gets every file that loading will parse read
and parsed, once per distinct blob, before the revisions are assembled in turn:

- When the first revision holds many files to parse and there are several cores, a
  worker is forked as soon as that revision is listed. It reads its share of the
  files itself (its own ``git cat-file``) and parses each as soon as git gives its
  bytes, while this process lists the next revisions, reads its own share and parses
  it (``load.workers``): each revision's files as soon as their blobs are read. The
  worker's share is the larger: should this process be done first, it takes back the
  last half of what the worker has not begun (reads and parses it here), and again,
  so that a machine busy with other work delays neither side alone.
- This process reads each revision's blobs with one ``git cat-file`` started when the
  revision is listed: a blob once, whichever revisions hold it, and none of the
  worker's, unless a later revision with another cache (its own tpm.yaml) or no
  cache at all must parse it again.
- A file that the cache cannot answer when its revision is assembled, and whose bytes
  this process does not have (the worker failed; a result that could not be
  recorded), is read then, and parsed as it always is.

So the files parsed, their results and the order the cache sees them in are those of
reading and parsing every revision in turn; only who does the work differs.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tpmcli.cache.parse_cache import ItemCache
from tpmcli.errors import Problem
from tpmcli.git.blobs import Blob, BlobRead, read_blobs, stream_blobs
from tpmcli.git.plumbing import TreeEntry
from tpmcli.load.parsing import ParsedFile, SourceFile, parse_source
from tpmcli.load.workers import (
    MAX_PROCESSES,
    Loaded,
    ParseJob,
    ParseWorker,
    parse_in_parallel,
    usable_cores,
    worker_count,
)
from tpmcli.project.config import Config
from tpmcli.project.validation import ItemRules

__all__ = ["TAKE_BACK_LEAST", "WORKER_SHARE_PERCENT", "ListedRevision", "RevisionReader"]

#: The worker's share of the first revision's files to parse (percent) on two cores
#: when more revisions follow: more than half, as this process also lists them and
#: parses their new files, and more than an even split, as this process can take back
#: what the worker has not begun when it is done first (never the other way). For a
#: single revision, half. On more cores, in proportion (see ``share_percent``).
WORKER_SHARE_PERCENT = 65
#: Files taken back from the worker at once, at least: fewer are not worth the git
#: process that reads them (about as long as parsing ten files).
TAKE_BACK_LEAST = 64
#: This process looks for the worker's results after parsing this many of its own
#: files (about 5 ms of work; the worker sends a batch about every 20 ms).
RECEIVE_EVERY = 32

# A file of a revision: (the revision's index, the file's index in its files).
_Key = tuple[int, int]


@dataclass(frozen=True)
class ListedRevision:
    """One revision's backlog before any item file is read: where, and under which rules."""

    rev: str
    commit: str
    config: Config
    rules: ItemRules
    prefixes: list[str]
    #: The item files, each with its stem and whether the parse cache knows its blob.
    files: list[tuple[TreeEntry, str, bool]]
    cache: ItemCache
    #: Listed in full from a well-formed tree: a later revision may be listed from
    #: what changed since this one (see ``git.plumbing.changed_files``).
    listed_in_full: bool = False

    def shown(self, entry: TreeEntry) -> str:
        """How a file of the revision is named in problems: ``main:backlog/a.yaml``."""
        return f"{self.rev}:{entry.path}"


class RevisionReader:
    """Reads and parses the item files of ``count`` revisions of the repository at
    ``root``, given in turn to ``add``. A context manager: leaving it stops the worker
    and the git processes still running."""

    def __init__(self, root: Path, count: int) -> None:
        self.root = root
        self.count = count
        self.revisions: list[ListedRevision] = []
        self._stack = contextlib.ExitStack()
        self._reads: list[BlobRead] = []
        self._requested: set[str] = set()
        #: Each blob read: its bytes, or its size when it was over the limit of the
        #: revision it was read for (its bytes never held).
        self._contents: dict[str, Blob] = {}
        #: Blobs parsed by someone, by cache: a later file of the same blob and cache
        #: is restored from the cache rather than parsed.
        self._scheduled: set[tuple[int, str]] = set()
        self._jobs: list[_Key] = []
        self._worker: ParseWorker | None = None
        self._worker_jobs: list[_Key] = []
        #: The rules of each file of the worker's share as it was given.
        self._worker_rules: list[ItemRules] = []
        self._worker_blobs: dict[str, ItemCache] = {}
        self._parsed: dict[_Key, ParsedFile] = {}
        self._sizes: dict[_Key, int] = {}

    def __enter__(self) -> RevisionReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._worker is not None:
            self._worker.stop()
        self._stack.close()

    def add(self, revision: ListedRevision) -> None:
        """Take a listed revision: its files to parse are decided, its reading started."""
        index = len(self.revisions)
        self.revisions.append(revision)
        to_parse = self._to_parse(index, revision)
        processes = worker_count(len(to_parse)) if index == 0 else 1
        if processes > 1:
            share = self._worker_share(revision, to_parse, self.share_percent(processes))
            if worker_count(2 * len(share)) > 1:  # not when twins left it too few files
                self._start_worker(revision, share)
                taken = set(share)
                to_parse = [number for number in to_parse if number not in taken]
        self._jobs += [(index, number) for number in to_parse]
        unread = []
        for entry, _stem, hit in revision.files:
            blob = entry.blob_id
            if hit or blob in self._requested:
                continue
            holder = self._worker_blobs.get(blob)
            if holder is not None and holder is revision.cache and holder.enabled:
                continue  # the worker's: the cache will know it
            unread.append(blob)
            self._requested.add(blob)
        limit = revision.config.max_file_bytes
        self._reads.append(self._stack.enter_context(BlobRead(self.root, unread, limit)))

    def share_percent(self, processes: int) -> int:
        """The worker's share of the first revision's files (percent) when ``processes``
        parse: ``WORKER_SHARE_PERCENT`` on two (half on two for a single revision),
        shared out in proportion on more (the rest of the files go to this process and,
        on more cores, to further workers of its own: see ``parse``)."""
        two_cores = WORKER_SHARE_PERCENT if self.count > 1 else 50
        return two_cores * 2 // processes

    def _to_parse(self, index: int, revision: ListedRevision) -> list[int]:
        """The files of the revision that loading will parse: not known to the cache,
        and (with a cache) the first of their blob."""
        chosen = []
        for number, (entry, _stem, hit) in enumerate(revision.files):
            if hit:
                continue
            if revision.cache.enabled:
                key = (id(revision.cache), entry.blob_id)
                if key in self._scheduled:
                    continue
                self._scheduled.add(key)
            chosen.append(number)
        return chosen

    @staticmethod
    def _worker_share(revision: ListedRevision, to_parse: list[int], percent: int) -> list[int]:
        """The last ``percent`` of the files to parse, but none whose blob another file
        of the revision holds (its bytes are read here, for that file)."""
        blobs = Counter(entry.blob_id for entry, _, _ in revision.files)
        candidates = [
            number for number in to_parse if blobs[revision.files[number][0].blob_id] == 1
        ]
        wanted = len(to_parse) * percent // 100
        return candidates[len(candidates) - min(wanted, len(candidates)) :]

    def _start_worker(self, revision: ListedRevision, share: list[int]) -> None:
        files = [revision.files[number] for number in share]
        root = self.root

        def load() -> Iterator[Loaded]:  # pragma: no cover - runs in the worker
            # Each file as soon as git gives its bytes: parsing begins with the first.
            limit = revision.config.max_file_bytes
            blobs = stream_blobs(root, [entry.blob_id for entry, _, _ in files], limit)
            for (entry, stem, _hit), (_blob, data) in zip(files, blobs, strict=True):
                if isinstance(data, int):
                    yield data
                else:
                    yield (
                        SourceFile(revision.shown(entry), data, stem, entry.blob_id),
                        revision.rules,
                    )

        self._worker = ParseWorker.start(load, len(files))
        self._worker_jobs = [(0, number) for number in share]
        self._worker_rules = [revision.rules] * len(share)
        for entry, _, _ in files:
            self._worker_blobs[entry.blob_id] = revision.cache

    def parse(self) -> None:
        """Wait for the reads, parse this process's share (with more workers if the
        other revisions hold many files to parse), then, while the worker still has
        many files to begin, the last half of them, and collect the worker's."""
        # The worker keeps a core busy for its share; more workers only when this
        # process has far more to parse (another tpm.yaml at HEAD, no cache).
        busy = 1 if self._worker is not None and len(self._jobs) < 2 * len(self._worker_jobs) else 0
        processes = max(1, min(usable_cores(), MAX_PROCESSES) - busy)
        if worker_count(len(self._jobs), processes=processes) == 1:
            # Alone: each revision's files as soon as its blobs are read, while git
            # still reads the next revision's (a revision's files need only the reads
            # of the revisions up to it: a blob is read for the first that holds it).
            for index, reading in enumerate(self._reads):
                self._contents.update(reading.contents())
                self._parse_here([key for key in self._jobs if key[0] == index])
        else:
            for reading in self._reads:
                self._contents.update(reading.contents())
            jobs = self._parse_jobs(self._jobs)
            results = parse_in_parallel([job for _, job in jobs], processes=processes)
            self._parsed.update(zip([key for key, _ in jobs], results, strict=True))
        if self._worker is not None:
            self._take_back_from_worker()
            kept = len(self._worker_jobs)  # the files not taken back
            given = self._worker.results(self._worker_rules[:kept]) or [None] * kept
            for key, found in zip(self._worker_jobs, given, strict=True):
                if isinstance(found, ParsedFile):
                    self._parsed[key] = found
                elif isinstance(found, int):
                    self._sizes[key] = found

    def _parse_jobs(self, keys: list[_Key]) -> list[tuple[_Key, ParseJob]]:
        """The files to parse among ``keys`` (their bytes read), as jobs; a file over
        the size limit has its size noted instead."""
        jobs: list[tuple[_Key, ParseJob]] = []
        for key in keys:
            revision = self.revisions[key[0]]
            entry, stem, _hit = revision.files[key[1]]
            data = self._bytes(entry.blob_id, revision.config.max_file_bytes)
            if isinstance(data, int):
                self._sizes[key] = data
                continue
            source = SourceFile(revision.shown(entry), data, stem, entry.blob_id)
            jobs.append((key, (source, revision.rules)))
        return jobs

    def _take_back_from_worker(self) -> None:
        """This process is done with its own files: while the worker has at least
        ``TAKE_BACK_LEAST`` files it has not begun, take the last half of them back
        (read here, parsed here), so that both finish at about the same time however
        busy the machine keeps either."""
        assert self._worker is not None
        while True:
            kept = self._worker.take_back(TAKE_BACK_LEAST)
            if kept is None:
                return
            taken = self._worker_jobs[kept:]
            self._worker_jobs = self._worker_jobs[:kept]
            blobs = [self.revisions[index].files[number][0].blob_id for index, number in taken]
            unread = [blob for blob in blobs if blob not in self._contents]
            limit = self.revisions[0].config.max_file_bytes  # the worker's are the first's
            self._contents.update(read_blobs(self.root, unread, limit))
            self._parse_here(taken)

    def _bytes(self, blob: str, limit: int) -> Blob:
        """The blob's bytes, or its size when it is over ``limit``. A blob read for an
        earlier revision under a lower limit than this one's is read again."""
        data = self._contents[blob]
        if isinstance(data, int) and data <= limit:
            self._contents.update(read_blobs(self.root, [blob], limit))
            data = self._contents[blob]
        if isinstance(data, bytes) and len(data) > limit:
            return len(data)
        return data

    def _parse_here(self, keys: list[_Key]) -> None:
        """Parse the files ``keys`` (their bytes read) in this process, turning back the
        worker's results as they come (see ``ParseWorker.receive``)."""
        worker = self._worker
        for count, (key, job) in enumerate(self._parse_jobs(keys), start=1):
            self._parsed[key] = parse_source(*job)
            if worker is not None and count % RECEIVE_EVERY == 0:
                worker.receive(self._worker_rules)

    def sources(self, index: int) -> tuple[list[SourceFile], list[Problem]]:
        """The revision's item files as sources, each with its result where it was
        parsed ahead (empty for a blob the cache knows), and a problem for each file
        over the size limit. Call it for each revision in turn, once the ones before
        are assembled: the cache then knows what they parsed."""
        revision = self.revisions[index]
        limit = revision.config.max_file_bytes
        missing = [
            entry.blob_id
            for number, (entry, stem, hit) in enumerate(revision.files)
            if not hit
            and (index, number) not in self._parsed
            and (index, number) not in self._sizes
            and not self._over(entry.blob_id, limit)
            and not isinstance(self._contents.get(entry.blob_id), bytes)
            and not revision.cache.knows(entry.blob_id, stem)
        ]
        if missing:
            self._contents.update(read_blobs(self.root, missing, limit))
        sources: list[SourceFile] = []
        problems: list[Problem] = []
        for number, (entry, stem, hit) in enumerate(revision.files):
            shown = revision.shown(entry)
            key = (index, number)
            parsed = self._parsed.get(key)
            size = self._sizes.get(key)
            data = self._contents.get(entry.blob_id, b"")
            if isinstance(data, int):  # sized, not read: the cache knows it, or a problem
                data = b""
            if size is None and not hit:
                size = self._over(entry.blob_id, limit)
            if size is not None:
                message = f"file is {size} bytes, over the limit of {limit}"
                problems.append(Problem(shown, 1, 1, message))
            else:
                sources.append(SourceFile(shown, data, stem, entry.blob_id, parsed))
        return sources, problems

    def _over(self, blob: str, limit: int) -> int | None:
        """The blob's size if it was read (or sized) and is over ``limit``, else None."""
        data = self._contents.get(blob)
        size = data if isinstance(data, int) else len(data) if data is not None else 0
        return size if size > limit else None
