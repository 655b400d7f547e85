"""The Python client and ``nmr`` CLI for data scientists (numerapi-like).

>>> from client import NumeraireClient
>>> nmr = NumeraireClient.from_env()          # NMR_API_URL, NMR_API_TOKEN, NMR_PRIVATE_KEY ...
>>> path = nmr.download_dataset("data")        # this round's Parquet file
>>> sub = nmr.upload_predictions("predictions.csv")   # validated here first, then uploaded
>>> nmr.stake("10", confidence="0.5")           # approve + stake on that file's hash
"""

from client.api import NumeraireClient
from client.errors import ApiError, NoCredentials, NumeraireError, ValidationFailed

__all__ = ["ApiError", "NoCredentials", "NumeraireClient", "NumeraireError", "ValidationFailed"]
