"""The quick subset: tests marked ``slow`` here are left out by ``pytest -m "not slow"``.

README ("Tests") documents the quick subset, a developer's loop of about 2.5 minutes on two
cores (95 s of CPU time after the merge of issues 17-20; 142 s wall after issues 14-22 on 7
December 2026, 138 s with the two episode runs listed here: the time is spread over many tests,
none above 8 s); CI
(``.ci/run``) runs everything. A test is listed here when it (or the fixture it builds) takes
more than a few seconds on an idle 2-core machine; each entry says why. The list lives in one
place so that marking a test slow never edits the test itself.
"""

from __future__ import annotations

import pytest

#: node id (or its prefix: a whole module or parametrised family) -> why it is slow
SLOW: dict[str, str] = {
    "tests/test_dynamics.py::test_acceptance_grid_every_run_comes_back": "72 runs of 460 days on the Northeast table",
    "tests/test_episodes.py::test_episode_runs_and_writes_monthly_csv": "each episode through the CLI, 20 replications",
    "tests/test_published_shapes.py": "published-shape cases run the Northeast table over many members and years",
    "tests/test_notebooks.py": "executes every notebook in a kernel",
    "tests/test_report_browser.py": "runs the README's main job and a headless Chromium",
    "tests/test_ario_oracle.py::test_northeast_whole_region_rebuild_collapse_matches_boario":
        "BoARIO live on the 168-industry table",
    "tests/test_ario_oracle.py::test_ario_matches_boario_per_industry_full_precision[case_5x42-shock_ln_rebuild":
        "BoARIO live, 210 industries with rebuilding",
    "tests/test_ario_oracle.py::test_r16_pymrio_test_system_matches_boario": "BoARIO live",
    "tests/test_cli.py::test_run_writes_every_output": "full trajectories of six pathways",
    "tests/test_sweep_dask.py": "starts a Dask LocalCluster",
    "tests/test_cli_interrupt.py::test_ctrl_c_during_a_run_with_workers_ends_it":
        "interrupts the README run with two workers, four times (about 5 s each)",
    "tests/test_cli_interrupt.py::test_ctrl_c_twice_during_a_scan_or_sweep_with_workers_ends_it":
        "interrupts a scan and a sweep with two workers (about 5 s each)",
    "tests/test_scan_screen.py::test_no_service_or_utility_link_in_the_default_top_10":
        "scans the 474 links of the Northeast table",
    "tests/test_scan_screen.py::test_fine_scan_ranks_the_split_products": "scans the 717 imports of the fine table",
    "tests/test_warmup.py::test_after_warmup_a_run_a_scan_and_ario_compile_nothing":
        "compiles every engine loop into an empty numba cache, then runs a scenario and a scan",
    "tests/test_sweep_run.py::test_process_pool_crash_is_recovered": "starts and breaks process pools",
    "tests/test_sweep_run.py::test_cli_end_to_end": "a whole sweep through the CLI",
    "tests/test_sweep_run.py::test_pool_results_do_not_depend_on_how_workers_start": "spawned process pools",
    "tests/test_sweep_run.py::test_resume_after_crash_gives_identical_runs": "a sweep run three times",
    "tests/test_sweep_run.py::test_shipped_sweep_file_runs_end_to_end": "the shipped sweep file",
    "tests/test_sweep_run.py::test_pool_workers_run_one_blas_thread": "spawned process pools",
    "tests/test_sweep_run.py::test_chunks_run_in_threads_at_once_give_serial_results": "a sweep run twice",
    "tests/test_datasets.py::test_rebuild_is_byte_identical_to_the_shipped_files": "rebuilds the dataset",
    "tests/test_datasets.py::test_china31_": "builds the 31-province table",
    "tests/test_datasets.py::test_load_northeast_restores_the_built_table_exactly": "rebuilds the dataset",
    "tests/test_datasets.py::test_damaged_bundle_is_detected": "copies and re-reads the dataset",
    "tests/test_build_china31.py": "builds the 31-province table",
    "tests/test_build_northeast.py": "builds the Northeast table",
    "tests/test_build_netting.py::test_netting_preserves_every_provincial_row_and_caps_outflows":
        "nets all 31 provincial tables",
    "tests/test_resourcing.py::test_mixed_member_timings_barrier_equals_one_by_one": "many single runs",
    "tests/test_engine_member_params.py::test_northeast_default_model_mixed_params_batch_equals_single_runs":
        "many single runs on the Northeast table",
    "tests/test_fonts.py::test_without_the_bundled_font_glyphs_go_missing": "a fresh Python and font cache",
    "tests/test_experiment.py::test_run_json_records_reproducibility_fields": "a full scenario run",
    "tests/test_cli_manners.py::test_workers_give_the_serial_results":
        "process pools and seven runs of a Northeast scenario with attribution",
    "tests/test_validate_matches_run.py::test_too_many_disruptions_refused_at_once":
        "parses a 20,000-disruption scenario file",
    "tests/test_run_outputs.py::test_signal_during_a_run_leaves_the_earlier_run_intact":
        "a fresh Python per case, interrupted by a signal",
    "tests/test_run_outputs.py::test_streamed_trajectories_need_memory_for_one_row_group":
        "writes 200 replications x 365 days in a fresh Python",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for prefix, why in SLOW.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.slow(reason=why))
                break
