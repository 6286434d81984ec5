"""critmin's Dagster definitions: one `Definitions` per domain, merged, for one `Settings`.

`build_defs(settings)` builds them; `critmin run` calls it with the settings of its command line.
`dagster dev -m orchestration.definitions` loads `defs`, which resolves the settings from the
environment when Dagster loads the code location. Importing this module runs nothing: the dbt
project is parsed when the definitions are built (`transform.prepared_dbt_project`).
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from orchestration.console import concise_console_logger
from orchestration.defs import download, ingest, quality, schedules, serving, transform
from orchestration.resources import resources
from orchestration.settings import Settings, resolve_settings


def build_defs(
    settings: Settings, validations: Sequence[quality.MartValidation] | None = None
) -> dg.Definitions:
    """Every asset, check, job, schedule and sensor, with resources pointing where `settings`
    says; the marts are validated with the Great Expectations suites of `validations` (default:
    `quality.MART_VALIDATIONS`)."""
    project = transform.prepared_dbt_project(settings)
    dbt_models = transform.dbt_models(project)
    return dg.Definitions.merge(
        download.defs,
        ingest.defs,
        dg.Definitions(assets=[dbt_models]),
        quality.quality_defs(validations),
        serving.serving_defs(dbt_models),
        schedules.defs,
        dg.Definitions(
            resources={
                **resources(settings),
                "dbt": transform.dbt_resource(settings, project),
            },
            executor=dg.in_process_executor,
            loggers={"console": concise_console_logger},
        ),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """The definitions `dagster dev` loads, with the settings of its environment."""
    return build_defs(resolve_settings())
