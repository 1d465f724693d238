"""The training plan's optimiser on synthetic early warnings of growing size (no database).

    .venv/bin/python bench/plan_training.py [--lines 200,1000,4000] [--seed 1]

For each size: regions, occupations and programs in proportion (a program per ~8 lines, 10% of
them mobile workshops with a route of 2-4 regions), lines with need dates over four target quarters,
a budget of a share of what covering everything would cost (--budget-share: a third by default, which
does not bind; 0.05 binds). Prints the candidates, the problem
size (variables, constraints), the seconds of the two solves and the solver's MIP gap. Reduced
scale: see bench/README.md, "Training plan", for what was measured and what was not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from projects.plan import optimiser as opt  # noqa: E402  (pure: no Django setup needed)

TODAY = dt.date(2026, 12, 3)


def instance(n_lines: int, seed: int, budget_share: float = 1 / 3, time_limit: float | None = None) -> opt.PlanInput:
    rng = random.Random(seed)
    n_regions = 20  # a border area: regions stay few while lines and programs grow
    n_occupations = max(4, n_lines // 25)
    occupations = [f"{7000 + i:04d}" for i in range(n_occupations)]
    lines = []
    for i in range(n_lines):
        need = TODAY + dt.timedelta(days=rng.randint(100, 450))
        lines.append(opt.PlanLine(
            id=i + 1, region_id=(region := rng.randrange(n_regions)), region_code=f"R{region:04d}",
            occupation_code=rng.choice(occupations), quarter=f"2027Q{1 + (need.month - 1) // 3}",
            shortfall=rng.randint(3, 120), need_date=need, end_date=need + dt.timedelta(days=60),
            weight=Decimal(rng.randint(3000, 12000)), languages=tuple(rng.sample(["ru", "kk", "zh"], rng.randint(0, 2))),
        ))
    programs = []
    for j in range(max(2, n_lines // 8)):
        mobile = rng.random() < 0.1
        serves = frozenset(rng.sample(range(n_regions), rng.randint(2, 4) if mobile else rng.randint(1, 3)))
        programs.append(opt.PlanProgram(
            id=j + 1, code=f"P{j}", college_id=j // 3, college_code=f"C{j // 3:04d}", country=rng.choice(["KZ", "CN"]),
            occupation_codes=tuple(rng.sample(occupations, rng.randint(1, 2))),
            duration_days=rng.choice([56, 75, 92, 150, 290, 300]), max_seats=rng.randint(12, 40),
            cost_per_seat=rng.choice([9000, 6000]), languages=tuple(rng.sample(["ru", "kk", "zh"], 2)),
            serves_region_ids=serves, mobile=mobile,
        ))
    everything = sum(l.shortfall for l in lines) * 8000
    return opt.PlanInput(TODAY, Decimal(int(everything * budget_share)), tuple(lines), tuple(programs),
                         opt.PlanSettings(time_limit_seconds=time_limit))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", default="200,1000,4000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-budget", action="store_true", help="no budget limit (the parts are solved apart)")
    parser.add_argument("--budget-share", type=float, default=1 / 3,
                        help="the budget as a share of what covering every line at 8,000 CNY a trainee would cost; "
                             "1/3 (the default) does not bind these instances, 0.05 does")
    parser.add_argument("--time-limit", type=float, default=None,
                        help="stop the solves after this many seconds in all and report the gap (PLAN_TIME_LIMIT_SECONDS; "
                             "the app's default is 50; none here unless given)")
    args = parser.parse_args()
    print("lines programs candidates reduced variables integer constraints cliques seconds cpu_seconds value_seconds gap "
          "status second_solve proposals components method greedy value seats spent budget merged_candidates merged_lines merged")
    for n in (int(x) for x in args.lines.split(",")):
        inp = instance(n, args.seed, args.budget_share, args.time_limit)
        if args.no_budget:
            inp = opt.PlanInput(inp.today, None, inp.lines, inp.programs, inp.settings)
        started, cpu = time.perf_counter(), time.process_time()
        result = opt.solve(inp)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        s = result.solver
        print(f"{n} {len(inp.programs)} {s['candidates']} {s.get('candidates_reduced')} {s['variables']} "
              f"{s.get('integer_variables')} {s['constraints']} {s['mobile_cliques']} "
              f"{seconds:.2f} {cpu:.2f} {s.get('value_seconds')} {s['gap']:.4f} {s['status']} {s.get('second_solve')} "
              f"{len(result.proposals)} {s['components']} {s.get('method')} {s.get('greedy_value')} {result.value} "
              f"{sum(p.seats for p in result.proposals)} {result.spent} {inp.budget} {s.get('merged_candidates')} "
              f"{s.get('merged_lines')} {s.get('merged')}", flush=True)


if __name__ == "__main__":
    main()
