"""The recipe an analyst would reach for: pandas rank + quantile bins, on the same file and rules
as `engage score`, so `engage bench score` can time both and check they agree.

Scores: 1 + floor(5 * (rank(method="min") - 1) / n) over users with history (recency ranked
descending: fewer days is better). Ties share a rank, so equal values get equal scores
(pandas.qcut on heavily tied data fails with "Bin edges must be unique", hence the explicit form).
Tiers: first rule whose minimum total R+F+M is met, rules passed as name=min_total pairs, best first.
usage: pandas_rfm.py INPUT OUTPUT NO_HISTORY_TIER NAME=MIN_TOTAL ...
Prints one JSON line with timings in seconds.
"""
import json
import sys
import time

import numpy as np
import pandas as pd


def main() -> None:
    src, dst, no_history_tier, *rules = sys.argv[1:]
    rules = [(r.split("=")[0], int(r.split("=")[1])) for r in rules]
    t0 = time.perf_counter()
    df = pd.read_csv(src, dtype={"user_id": str})
    t1 = time.perf_counter()
    has = df["recency_days"].notna()
    h = df[has]
    n = len(h)
    r = 1 + np.floor(5 * (h["recency_days"].rank(method="min", ascending=False) - 1) / n).astype(int)
    f = 1 + np.floor(5 * (h["frequency"].rank(method="min") - 1) / n).astype(int)
    cents = np.round(h["monetary"].fillna(0) * 100)
    m = 1 + np.floor(5 * (cents.rank(method="min") - 1) / n).astype(int)
    total = r + f + m
    tier = pd.Series(rules[-1][0], index=h.index)
    for name, min_total in reversed(rules[:-1]):
        tier = tier.mask(total >= min_total, name)
    out = pd.DataFrame({"user_id": df["user_id"], "r_score": 0, "f_score": 0, "m_score": 0, "tier": no_history_tier})
    out.loc[has, "r_score"] = r
    out.loc[has, "f_score"] = f
    out.loc[has, "m_score"] = m
    out.loc[has, "tier"] = tier
    t2 = time.perf_counter()
    out.to_csv(dst, index=False, lineterminator="\n")
    t3 = time.perf_counter()
    print(json.dumps({"read": t1 - t0, "score": t2 - t1, "write": t3 - t2, "total": t3 - t0}))


if __name__ == "__main__":
    main()
