import numpy as np
import pytest

from toolkit import units
from toolkit._errors import UnitError


@pytest.mark.parametrize(
    ("variable", "unit", "raw", "expected"),
    [
        ("temperature", "°F", [32.0, 212.0, 34.0], [0.0, 100.0, 10 / 9]),  # (34-32)*5/9
        ("temperature", "F", [77.0], [25.0]),
        ("temperature", "K", [273.15], [0.0]),
        ("pressure", "Pa", [102500.14], [1025.0014]),
        ("pressure", "kPa", [101.53], [1015.3]),
        ("pressure", "mbar", [1013.0], [1013.0]),
        ("uptime", "fraction", [0.25], [25.0]),
        ("pm25", "ug/m3", [12.5], [12.5]),
    ],
)
def test_linear_conversions_by_hand(variable, unit, raw, expected):
    values, how = units.convert(np.array(raw), variable, unit)
    np.testing.assert_allclose(values, expected, rtol=1e-12)
    assert how.to_unit == units.normalise(how.to_unit)


def test_ppm_to_ppb_is_a_factor_of_1000():
    how = units.conversion("co2", "ppm")
    assert how.is_identity  # co2 stays in ppm
    values, _ = units.convert(np.array([0.040]), "tvoc", "ppm")
    np.testing.assert_allclose(values, [40.0])


# Published factors: US EPA (25 °C, 24.45 L) and EU (20 °C) conventions, as quoted in
# formats-and-formulas.md 1.12: NO2 1.88/1.91, O3 1.96/2.00, SO2 2.62/2.66 µg/m³ per ppb,
# CO 1.145/1.16 mg/m³ per ppm.
@pytest.mark.parametrize(
    ("gas", "from_unit", "t", "published", "digits"),
    [
        ("no2", "ppb", 25, 1.88, 2),
        ("o3", "ppb", 25, 1.96, 2),
        ("so2", "ppb", 25, 2.62, 2),
        ("co", "ppm", 25, 1.145, 3),
        ("no2", "ppb", 20, 1.91, 2),
        ("o3", "ppb", 20, 2.00, 2),
        ("so2", "ppb", 20, 2.66, 2),
        ("co", "ppm", 20, 1.16, 2),
    ],
)
def test_gas_factors_match_published_values(gas, from_unit, t, published, digits):
    values, how = units.convert(np.array([1.0]), gas, from_unit, reference_temperature_c=t)
    assert round(values[0], digits) == published
    assert f"at {t} °C" in how.note  # the reference temperature is always stated


def test_ppm_no2_to_micrograms_by_hand():
    # 0.040 ppm = 40 ppb; molar volume at 25 °C = 8.314462618 * 298.15 / 101325 = 24.4654 L
    values, _ = units.convert(np.array([0.040]), "no2", "ppm")
    assert values[0] == pytest.approx(40 * 46.0055 / 24.46540, rel=1e-5)


def test_molar_volume_is_close_to_the_conventional_values():
    assert units.molar_volume_l_per_mol(25) == pytest.approx(24.45, abs=0.02)
    assert units.molar_volume_l_per_mol(20) == pytest.approx(24.04, abs=0.02)


def test_input_is_not_mutated():
    raw = np.array([32.0, 50.0])
    units.convert(raw, "temperature", "°F")
    assert raw.tolist() == [32.0, 50.0]


@pytest.mark.parametrize(
    "spelling",
    ["µg/m³", "ug/m3", "μg/m³", "Micrograms/cubic meter (LC)", "ug.m-3", " UG/M3 "],
)
def test_spellings_of_micrograms(spelling):
    assert units.normalise(spelling) == "µg/m³"


def test_unknown_unit_lists_known_ones():
    with pytest.raises(UnitError, match="furlongs") as err:
        units.normalise("furlongs")
    assert "known units are" in str(err.value)
    assert "What to do" in str(err.value)


def test_impossible_conversion_says_what_to_do():
    with pytest.raises(UnitError, match=r"Cannot convert pm25 from °C") as err:
        units.conversion("pm25", "°C")
    assert "What to do" in str(err.value)
