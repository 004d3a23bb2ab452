"""Compact pickles of object data, for the whole data that the cross-object stage keeps of
each projected object (K8sObject.full, graph.slim).

Every pickle made here starts with a memo that already holds the common Kubernetes keys
(KEYS): a key is written as a reference of two bytes instead of its text, and read back as
the one shared string instead of a new one per object. Measured on the 5,000 documents of
the benchmark corpus: 1.75 instead of 2.78 MB of pickles (at 50,000 documents the stage
holds ~18 instead of ~28 MB), 25% less time to make them, 15% less to read them. Only keys
that are the very objects of KEYS (the loader's are: fastload.py, key()) are written as
references, since a pickler's memo goes by identity; any other string is written in full,
so a pickle is right whatever made its data.

KEYS is part of the format: a pickle is read with the KEYS of the code that wrote it. They
are only kept within one run and in the result cache, whose entries are keyed by the stamp
of kubelint's code (resultcache._code_stamps), so editing KEYS needs nothing else."""

from __future__ import annotations

import io
import pickle
import struct
import sys
from typing import Any, Dict, List, Optional, Tuple

# The keys most objects of the kinds the cross stage projects have (graph.SHAPES): field
# names of the Kubernetes API and well-known labels, most frequent first, measured on the
# benchmark corpus and the public projects' manifests (workloads, Services, RBAC, configs).
KEYS: Tuple[str, ...] = tuple(sys.intern(k) for k in (
    "name", "apiVersion", "metadata", "kind", "labels", "spec", "app.kubernetes.io/name",
    "app.kubernetes.io/part-of", "app.kubernetes.io/component", "ports", "selector", "port",
    "namespace", "containers", "app", "image", "matchLabels", "template", "resources", "type",
    "containerPort", "protocol", "targetPort", "app.kubernetes.io/version",
    "app.kubernetes.io/instance", "env", "rules", "mountPath", "volumeMounts", "volumes",
    "replicas", "serviceAccountName", "securityContext", "verbs", "imagePullPolicy", "apiGroups",
    "capabilities", "apiGroup", "roleRef", "subjects", "runAsNonRoot", "allowPrivilegeEscalation",
    "drop", "readOnlyRootFilesystem", "args", "path", "data", "valueFrom", "value", "requests",
    "seccompProfile", "cpu", "emptyDir", "readinessProbe", "livenessProbe", "annotations",
    "runAsUser", "nodeSelector", "key", "podSelector", "policyTypes", "kubernetes.io/os",
    "ingress", "periodSeconds", "secretName", "memory", "initialDelaySeconds", "from", "command",
    "configMap", "secret", "automountServiceAccountToken", "httpGet", "limits", "version",
    "fieldPath", "fieldRef", "affinity", "podAntiAffinity", "topologyKey", "labelSelector",
    "items", "runAsGroup", "service", "optional", "weight", "podAffinityTerm",
    "preferredDuringSchedulingIgnoredDuringExecution", "configMapKeyRef", "namespaceSelector",
    "resourceNames", "timeoutSeconds", "terminationGracePeriodSeconds", "secretKeyRef",
    "failureThreshold", "readOnly", "fsGroup", "privileged", "initContainers", "role", "strategy",
    "appProtocol", "stringData", "accessModes", "storage", "helm.sh/chart", "http", "paths",
    "backend", "pathType", "number", "restartPolicy",
    "requiredDuringSchedulingIgnoredDuringExecution", "component", "grpc", "egress",
    "revisionHistoryLimit", "scheme", "host", "claimName", "persistentVolumeClaim",
    "successThreshold", "tier", "workingDir", "serviceName", "rollingUpdate", "lifecycle",
    "ipFamilyPolicy", "ipFamilies", "ttlSecondsAfterFinished", "maxUnavailable",
    "ingressClassName", "exec", "clusterIP", "add", "fsType", "tcpSocket", "chart", "heritage",
    "release", "publishNotReadyAddresses", "preStop", "secrets", "prometheus.io/scrape",
    "dnsPolicy", "k8s-app", "sidecar.istio.io/inject", "url", "username", "prometheus.io/port",
    "nonResourceURLs", "defaultMode", "prometheus.io/path", "startupProbe", "hostPort",
    "hostPath", "minReadySeconds", "controller", "storageClassName", "subPath", "updateStrategy",
    "operator", "externalTrafficPolicy", "maxSurge", "nodePort", "tls", "hosts",
    "nginx.ingress.kubernetes.io/rewrite-target", "volumeClaimTemplates", "jobTemplate",
    "backoffLimit", "concurrencyPolicy", "schedule",
))
# text -> the string of KEYS (fastload's keys are these very objects: see key())
_BY_TEXT: Dict[str, str] = {k: k for k in KEYS}


def key(text: str) -> str:
    """`text` as the loader should keep it as a mapping key: the string of KEYS when it is
    one of them (so that pickles refer to it), else itself."""
    return _BY_TEXT.get(text, text)


# Pickles are made in "fast" mode: the pickler writes no memo entries of its own (every
# object is written where it occurs), so the memo never holds more than KEYS, in the pickler
# as in the unpickler. That is what lets KEYS be a memo at all -- from protocol 4 on, an
# unpickler numbers the entries a pickle adds itself, counting from where a memo given to it
# does not say -- and it makes pickles smaller and faster both ways. The cost: a part shared
# within one object is written, and read back, once per place (the loader shares none; an
# object with a cycle cannot be packed: dumps() says so with None).
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class _Seed(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        return KEYS[pid]


def _unpickler_memo() -> Any:
    """An unpickler's memo with KEYS[i] at i. (`Unpickler.memo = {i: k}` leaves the memo
    empty in CPython 3.11; a memo proxy is copied right.)"""
    seed = _Seed(io.BytesIO(_seed_program()))
    seed.load()
    return seed.memo


# picklers and unpicklers not in use, each with its buffer (one per thread at a time)
_picklers: List[Tuple[Any, io.BytesIO]] = []
_unpicklers: List[Tuple[Any, io.BytesIO]] = []
_PMEMO: Any = None  # made on first use: a run with no projected object needs neither
_UMEMO: Any = None


def dumps(value: Any) -> Optional[bytes]:
    """pickle.dumps(value) with KEYS as references; None when `value` has a cycle (or is too
    deep to pickle at all)."""
    global _PMEMO
    try:
        pickler, buf = _picklers.pop()
    except IndexError:
        if _PMEMO is None:
            memo = pickle.Pickler(io.BytesIO(), _PROTOCOL)
            memo.memo = {id(k): (i, k) for i, k in enumerate(KEYS)}
            _PMEMO = memo.memo
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, _PROTOCOL)
        pickler.memo = _PMEMO
        pickler.fast = True
    try:
        pickler.dump(value)
        return buf.getvalue()
    except (ValueError, RecursionError):  # a cycle; nesting deeper than the interpreter's limit
        return None
    finally:
        buf.seek(0)
        buf.truncate()
        _picklers.append((pickler, buf))


def loads(blob: bytes) -> Any:
    """The value of a dumps() pickle. One unpickler reads them all, from a buffer refilled
    each time: the memo needs no copy (fast-mode pickles add nothing to it), and protocol 5
    frames are read whole (~15% less time than pickle.loads, which cannot take a memo)."""
    global _UMEMO
    try:
        unpickler, buf = _unpicklers.pop()
    except IndexError:
        if _UMEMO is None:
            _UMEMO = _unpickler_memo()
        buf = io.BytesIO()
        unpickler = pickle.Unpickler(buf)
        unpickler.memo = _UMEMO
    buf.seek(0)
    buf.truncate()
    buf.write(blob)
    buf.seek(0)
    value = unpickler.load()  # (a broken pickle raises: that unpickler is not used again)
    _unpicklers.append((unpickler, buf))
    return value


# --- a stream of pickles (parallel.py: what a child sends back) ---------------------------------

# A stream's memo starts again once this many bytes were written with it: the pickler's memo
# keeps alive every object it has written (else, at 50,000 documents, all a child's outcomes).
STREAM_BYTES = 4 << 20
_PROGRAM: Optional[bytes] = None


def _seed_program() -> bytes:
    """A pickle program that puts KEYS[i] at i of an unpickler's memo: for each key, its
    persistent id, BINPERSID, LONG_BINPUT i, POP (read by _Seed)."""
    global _PROGRAM
    if _PROGRAM is None:
        program = [b"\x80\x02"]
        for i in range(len(KEYS)):
            program.append(b"J" + struct.pack("<i", i) + b"Qr" + struct.pack("<I", i) + b"0")
        program.append(b"N.")
        _PROGRAM = b"".join(program)
    return _PROGRAM


class StreamWriter:
    """Pickles read in the same order by one StreamReader: the memo carries on from one to
    the next, so a part already written (a key of KEYS, a label map that projections share,
    a namespace) is written again as a reference, and read back as the one object it was.
    A value is written as it is when dumps() is called: an object that an earlier value
    reached must not change afterwards (it would be read back as it was).

    `share=False`: the pickles are made in fast mode (see dumps()): only KEYS are written as
    references, the rest where it occurs. For whole objects (nothing shared between chunks)
    that is less to do -- no memo entries, and what was sent is freed, so the child reuses
    its memory rather than touching new pages: at 5,000 documents the child's pickling and
    page faults cost ~10-20 ms less CPU (~2,500 faults fewer). Projections share their label
    maps from chunk to chunk: sent unshared, the parent kept ~25 MB more at 50,000 documents."""

    def __init__(self, share: bool = True) -> None:
        self.buf = io.BytesIO()
        self.pickler: Any = None
        self.written = 0  # bytes written with the pickler's memo
        self.share = share

    def dumps(self, value: Any) -> Tuple[bytes, bool]:
        """The pickle of `value`, and whether its reader must start again (a new memo) to
        read it: the first pickle, and the first after STREAM_BYTES."""
        fresh = self.pickler is None or self.written > STREAM_BYTES
        if fresh:
            self.pickler = pickle.Pickler(self.buf, _PROTOCOL)
            self.pickler.memo = {id(k): (i, k) for i, k in enumerate(KEYS)}
            self.pickler.fast = not self.share
            self.written = 0
        try:
            self.pickler.dump(value)
            data = self.buf.getvalue()
            self.written += len(data)
            return data, fresh
        except ValueError:
            if self.share:
                self.pickler = None  # its memo has what the reader will never see
                raise
            # fast mode cannot write a cycle (a recursive YAML alias): this one value with a
            # memo, as a new stream; the next starts a new one again
            self.buf.seek(0)
            self.buf.truncate()
            self.pickler = pickle.Pickler(self.buf, _PROTOCOL)
            self.pickler.memo = {id(k): (i, k) for i, k in enumerate(KEYS)}
            try:
                self.pickler.dump(value)
                return self.buf.getvalue(), True
            finally:
                self.pickler = None
        except BaseException:
            self.pickler = None  # its memo has what the reader will never see
            raise
        finally:
            self.buf.seek(0)
            self.buf.truncate()


class StreamReader:
    """Reads what a StreamWriter wrote, in order (see StreamWriter)."""

    def __init__(self) -> None:
        self.buf = io.BytesIO(_seed_program())
        # KEYS put in the memo by reading a program that puts them (the unpickler then counts
        # its own entries on from there, as the writer's pickler does)
        self.unpickler = _Seed(self.buf)
        self.unpickler.load()

    def loads(self, data: Any) -> Any:
        """The value of the writer's next pickle (`data`: bytes or a memoryview of them)."""
        buf = self.buf
        buf.seek(0)
        buf.truncate()
        buf.write(data)
        buf.seek(0)
        return self.unpickler.load()
