"""The project's derived reference tables are exactly what the documented method gives from the public files."""

import importlib.util

import pandas as pd

from lib.core.config import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data" / "areas" / "leeds"


def test_wards_and_crime_mix_rederive_from_the_shared_public_data(shared_dir, tmp_path):
    spec = importlib.util.spec_from_file_location("derive", PROJECT_ROOT / "scripts" / "derive_reference.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    derive.main(shared_dir / "data", tmp_path)
    for name in ("wards.csv", "illustrative_crime_mix.csv"):
        assert (tmp_path / name).read_text() == (DATA_DIR / name).read_text(), name


def test_ward_table_matches_the_ons_crosswalk_and_population(shared_dir):
    wards = pd.read_csv(DATA_DIR / "wards.csv")
    codes = pd.read_csv(shared_dir / "data/lookups/leeds_ward_codes.csv")
    merged = wards.merge(codes, left_on="name", right_on="ward_name")
    assert len(merged) == 33
    assert (merged["code"] == merged["WD25CD"]).all() and (merged["wd19_code"] == merged["WD19CD"]).all()
    published = pd.read_csv(shared_dir / "data/lookups/leeds_ward_population.csv").set_index("ward_code")
    ours = merged.set_index("wd19_code")["population"].sort_index()
    assert ours.to_dict() == published["population"].sort_index().to_dict()
    assert wards["population"].sum() == 811_957


def test_centroids_fall_inside_leeds():
    wards = pd.read_csv(DATA_DIR / "wards.csv")
    assert wards["centroid_lat"].between(53.69, 53.95).all()
    assert wards["centroid_lon"].between(-1.81, -1.29).all()
