"""Downloads: the files a round publishes, fetched to disk and checked.

A round's dataset (Parquet or CSV; a file already there is replaced only by a complete
download whose SHA-256 matches the one the server publishes), its tournament ids (what a
prediction file must cover), and after settlement every file the oracle published, which
:meth:`DownloadsMixin.verify` checks against the chain with the oracle's own code (the
``verify`` extra). Retries and verification are :mod:`client.transfers`'.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from tqdm import tqdm

from client import settings, transfers
from client.core.files import dataset_file_name
from client.errors import NumeraireError
from client.transfers import RetryPolicy

DATASET_FORMATS = ("parquet", "csv")


class DownloadsMixin:
    """Datasets and published files, through the transport's session (`http`, `timeout`,
    `retry`, `_bar`) and the rounds' pages; remembers each round's downloaded dataset."""

    api_url: str
    http: requests.Session
    timeout: float
    retry: RetryPolicy
    rpc_url: str | None
    _datasets: dict[int, Path]
    _url: Callable[[str], str]
    _bar: Callable[..., tqdm]
    current_round_number: Callable[[], int]
    round_results: Callable[[int], dict[str, Any]]
    chain_info: Callable[[], dict[str, Any]]
    _on_chain: Callable[[], AbstractContextManager[None]]  # chain errors as NumeraireError (client.staking)

    def download_dataset(self, dest: str | Path = ".", round_number: int | None = None,
                         file_format: str = "parquet") -> Path:
        """Download a round's dataset (default: the current round, Parquet) into the folder
        `dest`; returns the file's path. A file already there is replaced only by a
        complete download whose SHA-256 matches the one the server publishes."""
        if file_format not in DATASET_FORMATS:
            raise NumeraireError(f"unknown dataset format {file_format!r}; use parquet or csv")
        number = self.current_round_number() if round_number is None else int(round_number)
        folder = Path(dest)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / dataset_file_name(number, file_format)
        transfers.download(self.http, self._url(f"/rounds/{number}/dataset.{file_format}"), path,
                           timeout=self.timeout, policy=self.retry, what=path.name,
                           progress=lambda total: self._bar(total, f"round {number} {file_format}"))
        self._datasets[number] = path
        return path

    def expected_ids(self, round_number: int, dataset: str | Path | None = None) -> pd.Series:
        """The round's tournament ids (non-train rows): what a prediction file must cover.
        From `dataset` if given, else the file this client downloaded, else downloaded now."""
        path = Path(dataset) if dataset else self._datasets.get(round_number)
        if path is None or not path.is_file():
            path = self.download_dataset(tempfile.mkdtemp(prefix="nmr-dataset-"), round_number)
        columns = ["id", "data_type"]
        try:
            if path.suffix == ".csv":
                frame = pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False)
            else:
                frame = pd.read_parquet(path, columns=columns)
        except (OSError, ValueError, KeyError) as exc:
            raise NumeraireError(f"cannot read the dataset {path} ({exc}); download it again") from None
        return frame.loc[frame["data_type"] != "train", "id"].astype(str)

    def download_published(self, number: int, dest: str | Path) -> Path:
        """Every file the oracle published for round `number`, into `dest` (folder kept)."""
        names = self.round_results(number).get("published_files") or []
        if not names:
            raise NumeraireError(f"round {number} has no published files yet; it is published after settlement")
        folder = Path(dest)
        with self._bar(len(names), f"round {number} published files", unit="file") as bar:
            for name in names:
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                # Published files are served beside the pages, outside /api/v1.
                url = f"{self.api_url.removesuffix(settings.API_PREFIX)}/rounds/{int(number)}/published/{name}"
                transfers.download(self.http, url, target, timeout=self.timeout, policy=self.retry,
                                   progress=lambda total, name=name: self._bar(total, name), what=name)
                bar.update(1)
        return folder

    def verify(self, number: int, dest: str | Path | None = None) -> Any:
        """Download round `number`'s published files and check them against the chain
        (:mod:`client.core.money.verify`; the scoring engine it replays comes with the
        ``verify`` extra): returns the report (``ok``, ``checked``, ``mismatches``)."""
        try:
            from client.core.money.verify import verify_published
        except ImportError as exc:
            raise NumeraireError(
                f"verify recomputes the scores, which needs the client's verify extra ({exc}); "
                "install it with: pip install './client[verify]'"
            ) from None

        folder = self.download_published(number, dest or tempfile.mkdtemp(prefix=f"nmr-round-{number}-"))
        rpc_url = self.rpc_url or self.chain_info()["rpc_url"]
        with self._on_chain():
            return verify_published(folder, rpc_url)

