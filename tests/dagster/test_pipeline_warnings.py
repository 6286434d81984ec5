"""A WARN-severity check that does not pass is reported as a warning; it does not fail the run."""

from __future__ import annotations

from pathlib import Path

from critmin.pipeline import CheckOutcome, PipelineOutcome


def _outcome(*checks: CheckOutcome) -> PipelineOutcome:
    return PipelineOutcome(
        warehouse=Path("w.duckdb"),
        data_dir=Path("landing"),
        run_succeeded=True,
        failed_steps=(),
        checks=checks,
        published_version="2",
        previous_version="1",
    )


def test_warning_is_listed_but_the_run_succeeds() -> None:
    warning = CheckOutcome(
        asset="marts/mart_production_source_comparison",
        name="production_sources_agree",
        passed=False,
        description="1 of 3 mineral-years differ by more than 10%: rare_earths mine 2022 ...",
        severity="WARN",
    )
    passed = CheckOutcome(asset="marts/x", name="gx_x", passed=True, description="all met")
    outcome = _outcome(warning, passed)
    assert outcome.success
    assert outcome.failed_checks == () and outcome.warnings == (warning,)
    summary = outcome.summary(1.0)
    assert "checks:      1 passed, 0 failed, 1 warning(s)" in summary
    assert "WARNING marts/mart_production_source_comparison production_sources_agree: 1 of 3" in (
        summary
    )


def test_error_check_still_fails_the_run() -> None:
    error = CheckOutcome(asset="marts/x", name="gx_x", passed=False, description="hhi > 1")
    outcome = _outcome(error)
    assert not outcome.success
    assert outcome.failed_checks == (error,) and outcome.warnings == ()
    assert "FAILED marts/x gx_x: hhi > 1" in outcome.summary(1.0)


def test_dbt_warning_without_description_says_how_many_rows_fail() -> None:
    from dagster import MetadataValue

    from critmin.pipeline import _failed_rows

    assert _failed_rows({"dagster_dbt/failed_row_count": MetadataValue.int(51)}) == (
        "51 row(s) fail the dbt test"
    )
    assert _failed_rows({}) == ""
