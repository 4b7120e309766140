"""Client of an OSRM-compatible ``table`` service: travel durations over the street network.

``GET {base}/table/v1/{profile}/{lon,lat;lon,lat;...}?annotations=duration&sources=..&
destinations=..`` answers ``{"code": "Ok", "durations": [[seconds, ...], ...]}``. A server
limits the size of one table (OSRM's ``--max-table-size``, 100 by default), so a larger
matrix is asked for in blocks of at most ``max_size`` coordinates. Standard library only
(``urllib``): one plain GET per block, with a timeout, and an overall time budget for all
the blocks of one matrix (a large table is many requests).
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from time import monotonic

Point = tuple[float, float]  # (lon, lat)


class OsrmError(Exception):
    """The service could not give the matrix (unreachable, slow, an error answer)."""


def _remaining(deadline: float | None, timeout: float) -> float:
    """The timeout for the next request: ``timeout``, cut to what is left of the budget."""
    if deadline is None:
        return timeout
    left = deadline - monotonic()
    if left <= 0:
        raise OsrmError("the table service took longer than the time allowed for the matrix")
    return min(timeout, left)


def _get(url: str, timeout: float) -> dict[str, object]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured URL)
            body = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:200].decode("utf-8", "replace")
        raise OsrmError(f"HTTP {exc.code}: {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise OsrmError(str(getattr(exc, "reason", exc))) from exc
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise OsrmError("the answer is not JSON") from exc
    if not isinstance(doc, dict) or doc.get("code") != "Ok":
        code = doc.get("code") if isinstance(doc, dict) else None
        message = doc.get("message") if isinstance(doc, dict) else None
        raise OsrmError(f"{code or 'no code'}: {message or 'no durations'}")
    return doc


def table(
    base_url: str,
    profile: str,
    points: Sequence[Point],
    *,
    timeout: float = 10.0,
    max_size: int = 100,
    budget_s: float | None = None,
) -> list[list[int]]:
    """The full ``len(points)`` square matrix of whole seconds (rounded up). A pair the
    network cannot connect (``null``) raises :class:`OsrmError`, and so does running out of
    ``budget_s`` seconds over all the blocks."""
    deadline = None if budget_s is None else monotonic() + budget_s
    n = len(points)
    if n == 0:
        return []
    half = max(1, max_size // 2)
    blocks = [list(range(i, min(i + half, n))) for i in range(0, n, half)]
    out = [[0] * n for _ in range(n)]
    base = base_url.rstrip("/")
    for rows in blocks:
        for cols in blocks:
            # One request per pair of blocks; one coordinate list when they are the same.
            idx = rows if rows == cols else rows + cols
            coords = ";".join(f"{points[i][0]:.6f},{points[i][1]:.6f}" for i in idx)
            sources = ";".join(str(k) for k in range(len(rows)))
            start = 0 if rows == cols else len(rows)
            destinations = ";".join(str(start + k) for k in range(len(cols)))
            query = urllib.parse.urlencode(
                {"annotations": "duration", "sources": sources, "destinations": destinations}
            )
            url = f"{base}/table/v1/{urllib.parse.quote(profile)}/{coords}?{query}"
            durations = _get(url, _remaining(deadline, timeout)).get("durations")
            if not isinstance(durations, list) or len(durations) != len(rows):
                raise OsrmError("durations: wrong number of rows")
            for r, row in zip(rows, durations, strict=True):
                if not isinstance(row, list) or len(row) != len(cols):
                    raise OsrmError("durations: wrong number of columns")
                for c, value in zip(cols, row, strict=True):
                    if value is None:
                        raise OsrmError(f"no route between points {r} and {c}")
                    if not isinstance(value, int | float) or value < 0:
                        raise OsrmError(f"durations: bad value {value!r}")
                    out[r][c] = 0 if r == c else math.ceil(value)
    return out


def one_to_all(
    base_url: str,
    profile: str,
    points: Sequence[Point],
    index: int,
    *,
    timeout: float = 10.0,
    max_size: int = 100,
    budget_s: float | None = None,
) -> tuple[list[int], list[int]]:
    """Durations from ``points[index]`` to every point and from every point to it (whole
    seconds, rounded up): what a matrix needs to grow by one place (within ``budget_s``)."""
    deadline = None if budget_s is None else monotonic() + budget_s
    n = len(points)
    others = [i for i in range(n) if i != index]
    out_row = [0] * n
    in_col = [0] * n
    base = base_url.rstrip("/")
    step = max(1, max_size - 1)
    for start in range(0, len(others), step):
        block = others[start : start + step]
        idx = [index, *block]
        coords = ";".join(f"{points[i][0]:.6f},{points[i][1]:.6f}" for i in idx)
        rest = ";".join(str(k) for k in range(1, len(idx)))
        for sources, destinations, outgoing in (("0", rest, True), (rest, "0", False)):
            query = urllib.parse.urlencode(
                {"annotations": "duration", "sources": sources, "destinations": destinations}
            )
            url = f"{base}/table/v1/{urllib.parse.quote(profile)}/{coords}?{query}"
            durations = _get(url, _remaining(deadline, timeout)).get("durations")
            if not isinstance(durations, list) or not durations:
                raise OsrmError("durations: missing")
            if not all(isinstance(row, list) and row for row in durations):
                raise OsrmError("durations: missing or bad rows")
            values = durations[0] if outgoing else [row[0] for row in durations]
            if len(values) != len(block) or any(
                not isinstance(v, int | float) or v < 0 for v in values
            ):
                raise OsrmError("durations: missing or bad values")
            for i, v in zip(block, values, strict=True):
                (out_row if outgoing else in_col)[i] = math.ceil(v)
    return out_row, in_col
