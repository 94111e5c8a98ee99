"""Which scalar points the page's charts get: a deterministic stride through each series, so
the first paint of a large log directory ships a bounded number of points per series
(docs/tensorboard.md, "What the charts show"). The downloads (scalars.json, scalars.csv)
and /api/scalars without max_points keep every point.

Note [Strided display sample]
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
A series of n points shown with at most N points (N >= 2) keeps the points whose index is a
multiple of the stride B, plus the last point, where B is the smallest power of two for
which that makes at most N points: ceil(n / B), plus 1 unless (n - 1) % B == 0. So a series
of at most N points is shown whole, and:
  * the first point (index 0) and the most recent one are always shown, and the shown
    points are real logged points (the hover read-out shows a logged step and value, never
    an average);
  * it is deterministic: the same series gives the same points on every request, and a
    point at a multiple of B stays shown while B stays the same, so charts do not flicker
    between refreshes (TensorBoard's reservoir sample is random and re-draws old points);
  * runs logged at the same steps keep the same steps, so the page's charts keep one
    shared x array (a min/max-per-bucket sample picks different steps in every run and
    the page would have to join 20 runs' x values);
  * appending points changes only the end: with B unchanged, the new points of [since, n)
    are the multiples of B in that range plus the new last point, and the old last point
    is dropped unless its index is a multiple of B. The count grows with n, so B never
    shrinks; when the count would pass N, B doubles: the multiples of 2B are a subset of
    the multiples of B, so the chart thins out rather than shifts, and the client receives
    the whole sample again (a "reset").
  * once n > N the sample has at least (N - 1) / 2 points (B / 2 gave more than N).
Smoothing (the page's debiased EMA) runs over the shown points, as TensorBoard smooths its
sample; since the sample is a function of the series alone, a refreshed chart and a fresh
page show the same smoothed line. Extremes between two shown points are not drawn:
spikes need the download (or max_points=0).
"""


def stride_for(n, max_points):
    """The stride B of Note [Strided display sample]; 1 (every point) when max_points is 0."""
    if max_points == 0:
        return 1
    if max_points < 2:
        raise ValueError(f"max_points must be 0 (every point) or at least 2, not {max_points}")
    b = 1
    while -(-n // b) + (1 if n and (n - 1) % b else 0) > max_points:
        b *= 2
    return b


def sample(series, since, stride, max_points):
    """The shown points of `series` for a client that holds the sample of its first `since`
    points taken with `stride`: (start, stride, steps, walls, values) as array slices.
    start == since when the client's sample stays valid and the result is what to append
    (after dropping its last point unless (since - 1) % stride == 0); start == 0 (a reset)
    when the stride changed and the result replaces the client's sample. A client that has
    seen more points than the series holds (a server restarted over another log directory)
    gets a reset too, rather than keeping points the series no longer has."""
    n = len(series)
    b = stride_for(n, max_points)
    start = max(0, since) if stride == b and since <= n else 0
    first = -(-start // b) * b
    columns = (series.steps, series.wall_times, series.values)
    last = n - 1
    if last >= start and last % b:
        return (start, b) + tuple(c[first:n:b] + c[last:n] for c in columns)
    return (start, b) + tuple(c[first:n:b] for c in columns)
