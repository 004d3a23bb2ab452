"""Workload controllers (pkg/apis/apps/validation, pkg/apis/batch/validation), autoscaling
and disruption budgets."""

from __future__ import annotations

import re
from typing import Any, Iterator, List, Optional, Tuple

from ..model import Violation
from .k8s import get, invalid

_REPLICAS = {"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"}


_OVER_100 = "must not be greater than 100%"


def _int_or_percent(value: Any) -> Tuple[Optional[float], Optional[str]]:
    """IntOrString as maxSurge/maxUnavailable take it: (value, kind) or (None, error)."""
    if isinstance(value, bool):
        return None, "must be an integer or percentage (e.g. '5%')"
    if isinstance(value, int):
        return (value, "int") if value >= 0 else (None, "must be greater than or equal to 0")
    if isinstance(value, str):
        m = re.fullmatch(r"([0-9]+)%", value)
        if not m:
            return None, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')"
        pct = int(m.group(1))
        return (pct, "percent") if pct <= 100 else (None, _OVER_100)
    return None, None


def _non_negative(spec: dict, base: tuple, field: str) -> Iterator[Violation]:
    """ValidateNonnegativeField, wherever the API server applies it to a count."""
    value = spec.get(field)
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        ptr = base + (field,)
        yield Violation(invalid(".".join(ptr), value, ["must be greater than or equal to 0"]), ptr)


# validateJobSpec (pkg/apis/batch/validation/validation.go): counts and durations >= 0.
_JOB_COUNTS = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
               "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes")


def _job_spec(spec: dict, base: tuple) -> Iterator[Violation]:
    for field in _JOB_COUNTS:
        yield from _non_negative(spec, base, field)


_STRATEGY = {"Deployment": ("spec", "strategy"), "DaemonSet": ("spec", "updateStrategy")}


def workload_spec(obj: Any, ctx: Any) -> List[Violation]:
    """KL121: replicas and Deployment/DaemonSet rolling update parameters; the counts of
    Jobs and of CronJobs' job templates (validateJobSpec, validateCronJobSpec)."""
    out: List[Violation] = []
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return out
    kind = obj.kind
    if kind in _REPLICAS or kind == "DaemonSet":  # ValidateDaemonSetSpec: no replicas
        for field in ("replicas", "minReadySeconds", "revisionHistoryLimit")[kind == "DaemonSet":]:
            value = spec.get(field)
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                out.append(Violation(invalid(f"spec.{field}", value, ["must be greater than or equal to 0"]),
                                     ("spec", field)))
    if kind == "Job":
        out.extend(_job_spec(spec, ("spec",)))
    elif kind == "CronJob":
        for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
            out.extend(_non_negative(spec, ("spec",), field))
        job = get(spec, ("jobTemplate", "spec"))
        if isinstance(job, dict):
            out.extend(_job_spec(job, ("spec", "jobTemplate", "spec")))
            if job.get("selector") is not None:  # ValidateJobTemplateSpec
                out.append(Violation("spec.jobTemplate.spec.selector: Invalid value: `selector` will be "
                                     "auto-generated", ("spec", "jobTemplate", "spec", "selector"), at="key",
                                     hint="remove it: the Job controller generates the selector"))
    strategy_path = _STRATEGY.get(kind)
    if strategy_path is None:
        return out
    strategy = get(obj.data, strategy_path)
    if not isinstance(strategy, dict):
        return out
    where = ".".join(strategy_path)
    if strategy.get("type") in ("Recreate", "OnDelete") and strategy.get("rollingUpdate") is not None:
        out.append(Violation(f"{where}.rollingUpdate: Forbidden: may not be specified when strategy "
                             f"`type` is '{strategy['type']}'", strategy_path + ("rollingUpdate",), at="key"))
        return out
    rolling = strategy.get("rollingUpdate")
    if not isinstance(rolling, dict):
        return out
    values = {}
    for field in ("maxSurge", "maxUnavailable"):
        if field in rolling and rolling[field] is not None:
            value, error = _int_or_percent(rolling[field])
            if error == _OVER_100 and field == "maxSurge" and kind == "Deployment":
                # ValidateRollingUpdateDeployment caps only maxUnavailable at 100%
                value, error = float(str(rolling[field]).rstrip("%")), None
            if value is None and error:
                out.append(Violation(invalid(f"{where}.rollingUpdate.{field}", rolling[field], [error]),
                                     strategy_path + ("rollingUpdate", field)))
            values[field] = value
    if values.get("maxSurge") == 0 and values.get("maxUnavailable") == 0 and kind == "Deployment":
        out.append(Violation(invalid(f"{where}.rollingUpdate.maxUnavailable", rolling["maxUnavailable"],
                                     ["may not be 0 when `maxSurge` is 0"]),
                             strategy_path + ("rollingUpdate", "maxUnavailable")))
    if kind == "DaemonSet" and None not in (values.get("maxSurge", 0), values.get("maxUnavailable", 1)):
        # ValidateRollingUpdateDaemonSet: exactly one is non-zero, after SetDefaults_DaemonSet
        # fills an unset maxUnavailable with 1 and an unset maxSurge with 0.
        surge, unavailable = values.get("maxSurge", 0), values.get("maxUnavailable", 1)
        ptr = strategy_path + ("rollingUpdate",)
        if surge and unavailable:
            implicit = "" if "maxUnavailable" in values else " (unset, it defaults to 1)"
            out.append(Violation(invalid(f"{where}.rollingUpdate.maxSurge", rolling["maxSurge"],
                                         ["may not be set when maxUnavailable is non-zero" + implicit]),
                                 ptr + ("maxSurge",), hint="set maxUnavailable: 0 to surge, or drop maxSurge"))
        elif not surge and not unavailable:
            out.append(Violation(f"{where}.rollingUpdate.maxUnavailable: Required value: cannot be 0 when "
                                 "maxSurge is 0", ptr + ("maxUnavailable",)))
    return out


_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
           ("month", 1, 12, {m: i for i, m in enumerate(
               ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}),
           ("day of week", 0, 6, {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}))


def _cron_field(text: str, name: str, low: int, high: int, names: dict) -> Optional[str]:
    def number(t: str) -> Optional[int]:
        if t.lower() in names:
            return names[t.lower()]
        return int(t) if t.isdigit() else None

    for part in text.split(","):
        rng, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            return f"invalid step {step!r} in the {name} field"
        if rng in ("*", "?"):
            continue
        lo_t, dash, hi_t = rng.partition("-")
        lo, hi = number(lo_t), number(hi_t) if dash else number(lo_t)
        if lo is None or hi is None:
            return f"{part!r} is not a valid {name}"
        if not (low <= lo <= high and low <= hi <= high):
            return f"{part!r} is out of range for the {name} field ({low}-{high})"
        if lo > hi:
            return f"{part!r}: the range start is after its end"
    return None


def cron_error(schedule: str) -> Optional[str]:
    """Why robfig/cron's standard parser (which the CronJob controller uses) rejects it."""
    s = schedule.strip()
    if s.startswith(("TZ=", "CRON_TZ=")):
        return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
    if s.startswith("@"):
        if s in _MACROS or re.fullmatch(r"@every \S+", s):
            return None
        return f"unrecognized descriptor: {s}"
    fields = s.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: {s}"
    for text, (name, low, high, names) in zip(fields, _FIELDS):
        error = _cron_field(text, name, low, high, names)
        if error:
            return error
    return None


def cron_schedule(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL122: CronJob schedule and timeZone."""
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    schedule = spec.get("schedule")
    if isinstance(schedule, str):
        error = cron_error(schedule)
        if error:
            yield Violation(invalid("spec.schedule", schedule, [error]), ("spec", "schedule"),
                            hint='five fields: minute hour day-of-month month day-of-week, e.g. "30 2 * * 1-5", or @daily')
    tz = spec.get("timeZone")
    if isinstance(tz, str) and not _valid_time_zone(tz):
        yield Violation(invalid("spec.timeZone", tz, ["unknown time zone " + tz]), ("spec", "timeZone"),
                        hint="an IANA time zone name, e.g. Europe/Berlin or Etc/UTC")


def _valid_time_zone(name: str) -> bool:
    if name.strip() != name or name.startswith(("/", ".")) or ".." in name or not name:
        return False
    try:
        import zoneinfo
    except ImportError:  # Python 3.8: cannot judge
        return True
    try:
        zoneinfo.ZoneInfo(name)
        return True
    except ValueError:
        return False
    except zoneinfo.ZoneInfoNotFoundError:
        pass
    try:  # unknown, or no time zone database on this machine at all?
        zoneinfo.ZoneInfo("Etc/UTC")
        return False
    except zoneinfo.ZoneInfoNotFoundError:
        return True


def hpa_replicas(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL125: HorizontalPodAutoscaler minReplicas <= maxReplicas, minReplicas >= 1."""
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    low, high = spec.get("minReplicas"), spec.get("maxReplicas")
    if isinstance(low, int) and not isinstance(low, bool) and low < 1:
        yield Violation(invalid("spec.minReplicas", low, ["must be greater than or equal to 1"]),
                        ("spec", "minReplicas"))
    if isinstance(high, int) and not isinstance(high, bool) and high < 1:
        yield Violation(invalid("spec.maxReplicas", high, ["must be greater than 0"]), ("spec", "maxReplicas"))
    if isinstance(low, int) and isinstance(high, int) and low > high:
        yield Violation(invalid("spec.maxReplicas", high, [f"must be greater than or equal to "
                                                            f"`minReplicas` ({low})"]),
                        ("spec", "maxReplicas"), related=((None, ("spec", "minReplicas"), "minReplicas"),))


def pdb_budget(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL126: PodDisruptionBudget sets minAvailable or maxUnavailable, not both."""
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        yield Violation("spec: Invalid value: minAvailable and maxUnavailable cannot be both set",
                        ("spec", "maxUnavailable"), at="key",
                        related=((None, ("spec", "minAvailable"), "minAvailable"),))
    for field in ("minAvailable", "maxUnavailable"):
        value = spec.get(field)
        if value is not None:
            amount, error = _int_or_percent(value)
            if amount is None and error:
                yield Violation(invalid(f"spec.{field}", value, [error]), ("spec", field))
