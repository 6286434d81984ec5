"""Download assets: published source data fetched into the landing directory.

They are kept out of the full-refresh job (group `download`): a download needs the network and,
for UN Comtrade, a subscription key, while a refresh must run from what has landed. A failed
download is retried with exponential backoff on top of the client's own per-request retries, and
a retry resumes where the last attempt stopped (the client's manifest of finished chunks).
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    Backoff,
    Config,
    Definitions,
    Jitter,
    MaterializeResult,
    RetryPolicy,
    asset,
    define_asset_job,
)

from ingest.comtrade import download as comtrade_api
from orchestration.resources import LandingResource

DOWNLOAD_GROUP = "download"
DOWNLOAD_RETRY = RetryPolicy(
    max_retries=3, delay=60, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)


class ComtradeDownloadConfig(Config):
    """Which UN Comtrade records to download (reporter codes, years, HS codes)."""

    reporters: list[int]
    years: list[int]
    hs_codes: list[str]
    monthly: bool = False
    base_url: str = comtrade_api.DEFAULT_BASE_URL


@asset(
    key=["download", "comtrade"],
    group_name=DOWNLOAD_GROUP,
    retry_policy=DOWNLOAD_RETRY,
    description=(
        "UN Comtrade v1 responses saved under the landing directory's comtrade/raw/ "
        "(key from $COMTRADE_API_KEY); ingest_comtrade reads them on the next refresh."
    ),
)
def comtrade_download(
    context: AssetExecutionContext, config: ComtradeDownloadConfig, landing: LandingResource
) -> MaterializeResult:
    query = comtrade_api.query_from_lists(
        config.reporters, config.years, config.hs_codes, monthly=config.monthly
    )
    summary = comtrade_api.fetch_comtrade(
        query,
        Path(landing.data_dir),
        comtrade_api.FetchSettings(base_url=config.base_url),
        on_chunk=lambda r: context.log.info(f"chunk {r.chunk_id}: {r.status}, {r.records} records"),
    )
    return MaterializeResult(
        metadata={
            "records": summary.records,
            "requests": summary.requests,
            "raw_dir": str(summary.raw_dir),
        }
    )


download_comtrade_job = define_asset_job(
    name="critmin_download_comtrade",
    selection=[comtrade_download],
    description="Download UN Comtrade records into the landing directory (needs the network).",
)

defs = Definitions(assets=[comtrade_download], jobs=[download_comtrade_job])
