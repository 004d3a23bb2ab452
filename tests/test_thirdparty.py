"""thirdparty.py: PyYAML and jsonschema-rs imported without the start-up work kubelint never
uses, and still the same modules for everything that uses them."""

import email.utils
import subprocess
import sys

import pytest

from kubelint import thirdparty

ROOT = __import__("os").path.dirname(__import__("os").path.dirname(__file__))


def _fresh(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_one_file_run_compiles_no_pyyaml_pattern_and_imports_no_email_utils():
    out = _fresh(
        "import sys\nsys.argv=['kubelint','check','--no-cache','examples/pod.yaml']\n"
        "from kubelint.fastcli import main, _end\nimport kubelint.fastcli as f\n"
        "def end(code):\n"
        "    import yaml.reader\n"
        "    print('RUN', code, 'yaml._yaml' in sys.modules, 'jsonschema_rs' in sys.modules,\n"
        "          [m for m in ('email.utils', 'socket', 'urllib.parse') if m in sys.modules],\n"
        "          type(yaml.reader.Reader.NON_PRINTABLE).__name__)\n"
        "    sys.stdout.flush()\n"
        "    _end(code)\n"
        "f._end = end\nmain()\n")
    assert "RUN 0 True True [] _LaterPattern" in out, out


def test_pyyaml_imported_this_way_reads_and_fails_as_pyyaml():
    out = _fresh(
        "from kubelint.thirdparty import pyyaml_c\nimport re\n"
        "c = pyyaml_c()\nassert re.compile.__module__ == 're'\n"
        "import yaml\n"
        "print(yaml.safe_load('a: 2001-12-14t21:59:43.10-05:00\\nb: [0o17, 0x1f, yes, ~, 1.5e3]'))\n"
        "try:\n    yaml.safe_load('a: \\x07')\nexcept yaml.reader.ReaderError as e:\n"
        "    print('ReaderError', e.character)\n"
        "print(yaml.reader.Reader.NON_PRINTABLE.pattern == re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern).pattern)\n"
        "print(c is yaml._yaml, yaml.load('a: [1, yes]', Loader=yaml.CSafeLoader))\n")
    assert out.splitlines() == [
        "{'a': datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone("
        "datetime.timedelta(days=-1, seconds=68400))), 'b': ['0o17', 31, True, None, '1.5e3']}",
        "ReaderError 7", "True", "True {'a': [1, True]}"]


def test_jsonschema_rs_gets_its_build_date_as_email_utils_reads_it():
    out = _fresh(
        "import sys\nfrom kubelint.thirdparty import jsonschema_rs\nm = jsonschema_rs()\n"
        "print('email.utils' in sys.modules, m.validator_for({'type': 'string'}).is_valid('x'))\n"
        "when = sys.modules['jsonschema_rs.jsonschema_rs'].__build__['info-time']\n"
        "import email.utils\nfrom datetime import timezone\n"
        "print(repr(when), when.tzinfo is timezone.utc)\n")
    first, second = out.splitlines()
    assert first == "False True"
    import jsonschema_rs

    real = jsonschema_rs.jsonschema_rs.__build__["info-time"]
    assert second == f"{real!r} True"


@pytest.mark.parametrize("date", [
    "Thu, 12 Nov 2026 07:50:16 +0000", "1 Jan 2001 00:00:00 +0530", "Mon, 29 Feb 2028 23:59:59 +1400",
    "Tue, 31 Dec 1999 12:00:00 +0099",
    # the standard library's answers, through the real module
    "Thu, 12 Nov 2026 07:50:16 -0000", "Thu, 12 Nov 2026 07:50:16 -0700", "12 Nov 26 07:50:16 GMT",
    "Thu, 12 November 2026 07:50 +0000", "Sun, 06 Nov 0094 08:49:37 +0000",
])
def test_the_stand_in_reads_dates_as_email_utils(date):
    assert thirdparty._EmailUtils.parsedate_to_datetime(date) == email.utils.parsedate_to_datetime(date)
    got = repr(thirdparty._EmailUtils.parsedate_to_datetime(date))
    assert got == repr(email.utils.parsedate_to_datetime(date))


@pytest.mark.parametrize("date", ["Thu, 31 Nov 2026 07:50:16 +0000", "no date", "Thu, 12 Nov 2026 24:00:00 +0000"])
def test_the_stand_in_fails_as_email_utils(date):
    with pytest.raises(ValueError) as expected:
        email.utils.parsedate_to_datetime(date)
    with pytest.raises(ValueError) as got:
        thirdparty._EmailUtils.parsedate_to_datetime(date)
    assert str(got.value) == str(expected.value)
