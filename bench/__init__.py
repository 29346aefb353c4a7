# Benchmark and fault-test harness (run by `make bench` / `make faults`; not part of the Odoo addon).
