import copy
import dataclasses
import hashlib
import hmac
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit._errors import CoordinateError
from toolkit.history import History, Step
from toolkit.ledger import FileRecord, Ledger
from toolkit.privacy import PrivacyError, coarsen, pseudonyms, share
from toolkit.sensordata import SensorData, normalise_readings

# Hand computation (bc -l, scale=25), grid of 500 m: a latitude band is
# 500 / 111320 = 0.0044915558749550844 degrees high, i.e. 222.64 bands per degree.
#   50.300677 × 222.64 = 11198.9427...     -> band 11198, centre 11198.5 / 222.64
#                                             = 50.2986884656845131153
#   cos(50.2986884656845°) = 0.6387854293595899
#   cell width 500 / (111320 × 0.63878542935959) = 0.0070314000108895155°
#   -0.119122 / 0.0070314000108895 = -16.9414... -> cell -17, centre -16.5 × width
#                                             = -0.1160181001796770064
LAT, LON = 50.300677, -0.119122
LAT_500, LON_500 = 50.2986884656845131153, -0.1160181001796770064
STEP_LAT_500 = 500 / 111320
STEP_LON_500 = 0.0070314000108895155
# Grid of 1 km: 111.32 bands per degree.
#   50.300677 × 111.32 = 5599.4713... -> band 5599, centre 5599.5 / 111.32 = 50.3009342436219906575
#   cell width 1000 / (111320 × cos(50.30093424°)) = 0.0140634639669639906°
#   -0.119122 / 0.01406346396696 = -8.4703... -> cell -9, centre -8.5 × width
#                                             = -0.1195394437191939207
LAT_1K, LON_1K = 50.3009342436219906575, -0.1195394437191939207
# Southern and eastern hemispheres, 500 m (Sydney):
#   -33.8688 × 222.64 = -7540.5496... -> band -7541, centre -7540.5 / 222.64
#                                     = -33.8685770750988142292
#   cell width 500 / (111320 × cos(-33.86857708°)) = 0.0054094402676917076°
#   151.2093 / 0.0054094402676917 = 27952.855... -> cell 27952, centre 27952.5 × width
#                                     = 151.2073790826524577943
SYD = (-33.8688, 151.2093)
SYD_500 = (-33.8685770750988142292, 151.2073790826524577943)


def test_coarsen_matches_the_hand_computation_at_500_m_and_1_km():
    lat, lon = coarsen(LAT, LON, precision_m=500)
    assert isinstance(lat, float)
    assert lat == pytest.approx(LAT_500, abs=1e-12)
    assert lon == pytest.approx(LON_500, abs=1e-12)
    lat, lon = coarsen(LAT, LON, precision_m=1000)
    assert lat == pytest.approx(LAT_1K, abs=1e-12)
    assert lon == pytest.approx(LON_1K, abs=1e-12)
    lat, lon = coarsen(*SYD)
    assert (lat, lon) == pytest.approx(SYD_500, abs=1e-12)


def test_coarsen_gives_one_point_per_cell_and_neighbours_differ():
    lats = np.array([LAT_500 - 0.4 * STEP_LAT_500, LAT_500 + 0.4 * STEP_LAT_500, LAT_500])
    lons = np.array([LON_500 + 0.4 * STEP_LON_500, LON_500 - 0.4 * STEP_LON_500, LON_500])
    lat, lon = coarsen(lats, lons)
    assert isinstance(lat, np.ndarray)
    assert np.allclose(lat, LAT_500, atol=1e-12)
    assert np.allclose(lon, LON_500, atol=1e-12)
    # The cells north and east are one step away.
    north = coarsen(LAT_500 + STEP_LAT_500, LON_500)
    east = coarsen(LAT_500, LON_500 + STEP_LON_500)
    assert north[0] == pytest.approx(LAT_500 + STEP_LAT_500, abs=1e-12)
    assert east == pytest.approx((LAT_500, LON_500 + STEP_LON_500), abs=1e-12)


def test_coarsen_moves_every_point_except_a_cell_centre():
    assert coarsen(LAT, LON) != (LAT, LON)
    # A point on a centre is the only one that stays (so coarsening twice changes nothing).
    centre = coarsen(LAT, LON)
    assert coarsen(*centre) == centre


def test_coarsen_keeps_missing_positions_and_refuses_impossible_ones():
    lat, lon = coarsen([np.nan, LAT], [np.nan, LON])
    assert np.isnan(lat[0])
    assert np.isnan(lon[0])
    with pytest.raises(CoordinateError, match="within ±90°"):
        coarsen(95.0, 10.0)


@pytest.mark.parametrize("bad", [0, -500, float("nan"), float("inf"), "500", True, None])
def test_a_bad_grid_size_is_a_friendly_error(bad):
    with pytest.raises(PrivacyError) as info:
        coarsen(LAT, LON, precision_m=bad)
    message = str(info.value)
    assert "precision_m must be a positive number of metres" in message
    assert f"precision_m={bad!r}" in message
    assert "precision_m=500" in message
    assert isinstance(info.value, ValueError)


def test_near_the_poles_a_band_is_one_cell():
    lat, lon = coarsen(89.9999, 123.4, precision_m=50_000)
    assert lon == 0.0
    assert lat <= 90.0


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-89.9, 89.9, allow_nan=False),
    st.floats(-179.9, 179.9, allow_nan=False),
    st.sampled_from([100.0, 500.0, 1000.0, 2500.0]),
)
def test_coarsened_positions_stay_within_half_a_cell(lat, lon, size):
    clat, clon = coarsen(lat, lon, precision_m=size)
    step_lat = size / 111_320
    assert abs(clat - lat) <= step_lat / 2 + 1e-9
    step_lon = size / (111_320 * math.cos(math.radians(clat)))
    assert abs(clon - lon) <= step_lon / 2 + 1e-9
    assert coarsen(clat, clon, precision_m=size) == pytest.approx((clat, clon), abs=1e-12)


# ----------------------------------------------------------------------------- share

IDS = ["purpleair:123456", "sensorcommunity:53311", "mapped:ana-garden"]
NAMES = ["Ana's back garden", "School roof", "Corner shop window"]
COORDS = [(51.507351, -0.127758), (51.512344, -0.091234), (51.498765, -0.143219)]
SECRETS = [
    *IDS,
    "123456",
    "53311",
    "ana-garden",
    *NAMES,
    "12 Harbour Street",
    "ana@example.org",
    "/home/ana/exports/purpleair_123456_2024.csv",
    "purpleair_123456_2024.csv",
    "/home/ana/exports",
    "2017-08-30_sds011_sensor_53311.csv",
    "970123",
]


def _coordinate_texts():
    out = []
    for lat, lon in COORDS:
        for value in (lat, lon):
            out += [repr(value), f"{value:.4f}", f"{value:.5f}", f"{value:.6f}"]
    return out


def _private_data():
    times = pd.date_range("2024-10-07T00:00Z", periods=4, freq="2min")
    rows = []
    for sensor in IDS:
        for i, t in enumerate(times):
            rows.append((sensor, t, "pm25_atm", 10.0 + i, "µg/m³", "A"))
            rows.append((sensor, t, "pm25_atm", 11.0 + i, "µg/m³", "B"))
    readings = pd.DataFrame(
        rows, columns=["sensor_id", "time", "variable", "value", "unit", "channel"]
    )
    readings["flag_ab"] = [i % 5 == 0 for i in range(len(readings))]
    sensors = pd.DataFrame(
        {
            "sensor_id": IDS,
            "name": NAMES,
            "source": ["PurpleAir", "Sensor.Community", "Own logger"],
            "latitude": [c[0] for c in COORDS],
            "longitude": [c[1] for c in COORDS],
            "model": ["PA-II", "SDS011", "homemade"],
            "location_type": ["outdoor", "outdoor", "indoor"],
            "timezone": ["Europe/London"] * 3,
            "address": ["12 Harbour Street", None, "3 Mill Lane"],
            "host_email": ["ana@example.org", None, None],
            "location_id": [970123, 970124, 970125],
        }
    )
    first = FileRecord(
        path="/home/ana/exports/purpleair_123456_2024.csv",
        sha256="ab" * 32,
        format="purpleair/api_history_csv",
        rows_read=4,
        rows_kept=4,
        values_read=8,
        readings_kept=8,
        sensors=["purpleair:123456"],
        notes=[
            (
                "purpleair:123456 (Ana's back garden) reported from 51.507351, -0.127758; "
                "mapped at 51.5074 -0.1278 by 12 Harbour Street"
            ),
            "copied from /home/ana/exports (purpleair_123456_2024.csv) on Monday",
        ],
        reading_examples={"sentinel": ["value=-999 at 2024-10-07 00:00 for sensor 123456"]},
        error=None,
    )
    second = FileRecord(
        path="archive.zip::2017-08-30_sds011_sensor_53311.csv.gz",
        sha256="cd" * 32,
        format="sensor_community/archive_csv",
        rows_read=5,
        rows_kept=4,
        rows_dropped={"row does not have the header's 8 fields": 1},
        row_examples={
            "row does not have the header's 8 fields": [
                "line 3: '53311;SDS011;970123;51.512344;-0.091234;2017'"
            ]
        },
        values_read=16,
        readings_kept=16,
        sensors=["sensorcommunity:53311", "mapped:ana-garden"],
        notes=["sensorcommunity:53311 reported from 2 locations (970123, 970124)"],
    )
    history = History(
        [
            Step("with_timezone", "Set the time zone.", {"sensors": list(IDS)}),
            Step(
                "select",
                "Kept readings of purpleair:123456 and mapped:ana-garden.",
                {"sensors": ["purpleair:123456", "mapped:ana-garden"]},
            ),
            Step(
                "average",
                "Averaged.",
                {
                    "cadence_s": {f"{s} pm25_atm A": 120.0 for s in IDS},
                    "origin": (51.507351, -0.127758),
                    "sensor_index": 123456,
                },
            ),
        ]
    )
    return SensorData(normalise_readings(readings), sensors, Ledger([first, second]), history)


def _everything(data):
    parts = [
        repr(data),
        str(data),
        data._repr_html_(),
        str(data.ledger),
        repr(data.ledger),
        data.ledger._repr_html_(),
        str([dataclasses.asdict(dataclasses.replace(r, exception=None)) for r in data.ledger]),
        str(data.history),
        data.history._repr_html_(),
        data.history.to_frame().to_csv(),
        data.sensors.to_csv(),
        data.readings.to_csv(),
    ]
    for column in data.readings.columns:
        if isinstance(data.readings[column].dtype, pd.CategoricalDtype):
            parts.append(repr(list(data.readings[column].cat.categories)))
    return "\n".join(parts)


def test_share_leaves_no_original_id_name_path_or_exact_coordinate_anywhere():
    shared = share(_private_data())
    text = _everything(shared)
    for secret in SECRETS:
        assert secret not in text, secret
    for coordinate in _coordinate_texts():
        assert coordinate not in text, coordinate
    # The pseudonyms are numbered in the sorted order of the original ids:
    # mapped:ana-garden < purpleair:123456 < sensorcommunity:53311.
    assert shared.sensors["sensor_id"].tolist() == ["sensor-01", "sensor-02", "sensor-03"]
    assert shared.sensors["name"].tolist() == ["sensor-01", "sensor-02", "sensor-03"]
    assert list(shared.readings["sensor_id"].cat.categories) == [
        "sensor-01",
        "sensor-02",
        "sensor-03",
    ]
    assert shared.readings["sensor_id"].iloc[0] == "sensor-02"  # purpleair:123456


def test_share_keeps_only_the_allowed_sensor_columns_and_says_which_were_dropped():
    shared = share(_private_data(), precision_m=1000)
    assert list(shared.sensors.columns) == [
        "sensor_id",
        "name",
        "source",
        "latitude",
        "longitude",
        "model",
        "location_type",
        "timezone",
        "location_precision_m",
    ]
    step = shared.history[-1]
    assert step.name == "share"
    assert step.parameters["columns_dropped"] == ["address", "host_email", "location_id"]
    assert step.parameters["precision_m"] == 1000.0
    assert step.parameters["keyed"] is False
    assert "address, host_email, location_id" in step.description
    assert shared.sensors["location_precision_m"].tolist() == [1000.0] * 3
    # purpleair:123456 is sensor-02; its position is its 1 km cell centre.
    row = shared.sensors.set_index("sensor_id").loc["sensor-02"]
    assert (row["latitude"], row["longitude"]) == coarsen(*COORDS[0], precision_m=1000)


def test_share_keeps_readings_values_flags_and_order():
    data = _private_data()
    shared = share(data)
    pd.testing.assert_frame_equal(
        shared.readings.drop(columns="sensor_id"), data.readings.drop(columns="sensor_id")
    )
    mapping = dict(zip(pseudonyms(data)["original_id"], pseudonyms(data)["pseudonym"], strict=True))
    assert shared.readings["sensor_id"].astype(str).tolist() == [
        mapping[s] for s in data.readings["sensor_id"].astype(str)
    ]


def test_share_rewrites_the_ledger():
    shared = share(_private_data())
    first, second = shared.ledger
    assert first.path == "file-01.csv"
    assert second.path == "file-02.csv.gz"
    assert first.sha256 == second.sha256 == ""
    assert first.sensors == ["sensor-02"]
    assert second.sensors == ["sensor-03", "sensor-01"]
    assert first.rows_read == 4
    assert first.readings_kept == 8
    assert second.rows_dropped == {"row does not have the header's 8 fields": 1}
    assert shared.ledger.balanced
    assert "sensor-02 (sensor-02) reported from [location removed]" in first.notes[0]
    assert "for sensor sensor-02" in first.reading_examples["sentinel"][0]
    assert "[removed]" in second.notes[0]


def test_share_rewrites_the_history_without_the_key_or_mapping():
    data = _private_data()
    shared = share(data, key="a long secret")
    ids = pseudonyms(data, key="a long secret")
    mapping = dict(zip(ids["original_id"], ids["pseudonym"], strict=True))
    assert shared.history[0].parameters["sensors"] == [mapping[s] for s in IDS]
    assert shared.history[1].parameters["sensors"] == [
        mapping["purpleair:123456"],
        mapping["mapped:ana-garden"],
    ]
    average = shared.history[2].parameters
    assert set(average["cadence_s"]) == {f"{mapping[s]} pm25_atm A" for s in IDS}
    assert average["origin"] == ("[location removed]", "[location removed]")
    assert average["sensor_index"] == mapping["purpleair:123456"]
    step = shared.history[-1]
    assert step.parameters["keyed"] is True
    assert "a long secret" not in str(shared.history)
    for original in IDS:
        assert original not in str(step)


def test_keyed_pseudonyms_are_hmac_sha256_and_stable_for_the_same_key():
    data = _private_data()
    expected = {
        s: "sensor-" + hmac.new(b"k1-secret", s.encode(), hashlib.sha256).hexdigest()[:8]
        for s in IDS
    }
    table = pseudonyms(data, key="k1-secret")
    assert dict(zip(table["original_id"], table["pseudonym"], strict=True)) == expected
    # The same sensor in another dataset gets the same pseudonym with the same key...
    subset = data.select(sensors=["purpleair:123456"])
    subset = SensorData(
        subset.readings,
        subset.sensors[subset.sensors["sensor_id"] == "purpleair:123456"].reset_index(drop=True),
        Ledger(),
        History(),
    )
    assert share(subset, key="k1-secret").sensor_ids == [expected["purpleair:123456"]]
    # ... and another with another key.
    other = pseudonyms(data, key="k2-secret")
    assert set(other["pseudonym"]).isdisjoint(expected.values())


def test_pseudonyms_are_padded_to_the_width_of_the_count():
    ids = [f"x:{i:03d}" for i in range(120)]
    sensors = pd.DataFrame({"sensor_id": ids, "name": ids, "source": "test"})
    readings = normalise_readings(
        pd.DataFrame(
            {
                "sensor_id": ids,
                "time": pd.Timestamp("2024-01-01T00:00Z"),
                "variable": "pm25",
                "value": 1.0,
                "unit": "µg/m³",
            }
        )
    )
    table = pseudonyms(SensorData(readings, sensors))
    assert table["pseudonym"].iloc[0] == "sensor-001"
    assert table["pseudonym"].iloc[-1] == "sensor-120"
    assert pseudonyms(SensorData(readings, sensors), prefix="site")["pseudonym"].iloc[9] == (
        "site-010"
    )


def test_share_does_not_change_its_input():
    data = _private_data()
    readings, sensors = data.readings.copy(), data.sensors.copy()
    ledger, history = copy.deepcopy(list(data.ledger)), copy.deepcopy(data.history)
    share(data, key="secret")
    pd.testing.assert_frame_equal(data.readings, readings)
    pd.testing.assert_frame_equal(data.sensors, sensors)
    assert list(data.ledger) == ledger
    assert data.history == history


def test_sharing_shared_data_again_changes_nothing_but_adds_a_step():
    once = share(_private_data())
    twice = share(once)
    pd.testing.assert_frame_equal(twice.readings, once.readings)
    pd.testing.assert_frame_equal(twice.sensors, once.sensors)
    assert [r.path for r in twice.ledger] == [r.path for r in once.ledger]
    assert twice.history[:-1] == once.history
    assert twice.history[-1].parameters["columns_dropped"] == []


def test_share_works_on_empty_data():
    shared = share(SensorData.empty())
    assert len(shared) == 0
    assert shared.history[-1].name == "share"


@pytest.mark.parametrize("key", ["", 123])
def test_a_bad_key_is_a_friendly_error(key):
    with pytest.raises(PrivacyError) as info:
        share(_private_data(), key=key)
    message = str(info.value)
    assert "The pseudonym key must be a non-empty secret text." in message
    assert "os.environ['SENSOR_KEY']" in message


def test_a_bad_prefix_is_a_friendly_error():
    with pytest.raises(PrivacyError, match="prefix must be a short word") as info:
        pseudonyms(_private_data(), prefix="my sensors")
    assert "prefix='sensor'" in str(info.value)


def test_share_refuses_a_bad_grid_size():
    with pytest.raises(PrivacyError, match=r"precision_m=-1"):
        share(_private_data(), precision_m=-1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[a-z]{2,8}:[A-Za-z0-9_-]{1,10}", fullmatch=True),
            st.floats(-80, 80, allow_nan=False),
            st.floats(-179, 179, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda t: t[0],
    ),
    st.sampled_from([None, "key-1"]),
)
def test_share_property_no_original_id_in_ids_and_positions_in_their_cell(rows, key):
    ids = [r[0] for r in rows]
    sensors = pd.DataFrame(
        {
            "sensor_id": ids,
            "name": [f"name of {i}" for i in ids],
            "source": "test",
            "latitude": [r[1] for r in rows],
            "longitude": [r[2] for r in rows],
        }
    )
    readings = normalise_readings(
        pd.DataFrame(
            {
                "sensor_id": ids,
                "time": pd.Timestamp("2024-01-01T00:00Z"),
                "variable": "pm25",
                "value": np.arange(len(ids), dtype=float),
                "unit": "µg/m³",
            }
        )
    )
    data = SensorData(readings, sensors)
    shared = share(data, key=key)
    new_ids = shared.sensors["sensor_id"].tolist()
    assert len(set(new_ids)) == len(ids)
    categories = set(shared.readings["sensor_id"].cat.categories)
    assert categories == set(new_ids)
    assert not set(ids) & (categories | set(shared.sensors["name"]))
    mapping = dict(
        zip(
            pseudonyms(data, key=key)["original_id"],
            pseudonyms(data, key=key)["pseudonym"],
            strict=True,
        )
    )
    by_id = shared.sensors.set_index("sensor_id")
    for original, lat, lon in rows:
        row = by_id.loc[mapping[original]]
        assert abs(row["latitude"] - lat) <= 500 / 111_320 / 2 + 1e-9
        assert (row["latitude"], row["longitude"]) == coarsen(lat, lon)
    assert shared.readings["value"].tolist() == data.readings["value"].tolist()
