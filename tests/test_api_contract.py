"""The API keeps its published contract: schemathesis, run against this test server from
/api/v1/openapi.json with every check and every phase (examples, coverage, fuzzing, stateful through
the document's links), finds nothing. A fixed seed and a bounded number of examples per operation
keep it reproducible and within a few minutes. Each operation is a subtest, so every operation
with a finding counts as one failure in the test summary."""
import logging
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from odoo.tests import HttpCase, tagged

from .test_api_common import ApiTestMixin

_logger = logging.getLogger(__name__)
SEED = 42
MAX_EXAMPLES = int(os.environ.get("RW_SCHEMATHESIS_EXAMPLES", "40"))


def tool(name):
    """A test tool installed next to this Python (requirements.txt, test tools)."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    if not os.path.exists(path):
        raise AssertionError("%s is not installed in this virtualenv (see requirements.txt)" % name)
    return path


@tagged("post_install", "-at_install")
class TestApiContract(ApiTestMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # thousands of requests in a few minutes: a quota the run cannot exhaust (429 is documented
        # and allowed, but it would hide everything after it)
        cls.user.write({"api_rate_limit": 1000000, "api_rate_window": 60})

    def test_schemathesis_all_checks_all_phases_no_finding(self):
        self.env.flush_all()
        with tempfile.TemporaryDirectory() as tmp:
            junit = os.path.join(tmp, "junit.xml")
            cmd = [tool("schemathesis"), "run", "%s/api/v1/openapi.json" % self.base_url(),
                   "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
                   "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
                   "--generation-database", "none", "--no-color", "--request-timeout", "60",
                   "--report", "junit", "--report-junit-path", junit,
                   "-H", "Authorization: Bearer %s" % self.key]
            # requests from another process: allowed in (they carry no test cookie), one at a time
            with self.allow_requests(all_requests=True):
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=tmp, check=False)
            output = proc.stdout + proc.stderr
            cases = list(ET.parse(junit).getroot().iter("testcase")) if os.path.exists(junit) else []
        _logger.info("schemathesis (seed %s, %s examples per operation): %s", SEED, MAX_EXAMPLES,
                     " | ".join(line.strip() for line in output.splitlines()
                                if re.search(r"generated|passed|failed|Seed:", line))[-600:])
        # one subtest per operation (and one for the stateful phase): a finding counts as a failure
        operations = {"%s %s" % (m.upper(), p) for p, item in self.url_open("/api/v1/openapi.json")
                      .json()["paths"].items() for m in item}
        self.assertLessEqual(operations | {"Stateful tests"}, {c.get("name") for c in cases}, output[-3000:])
        failed = 0
        for case in cases:
            problem = case.find("failure") if case.find("failure") is not None else case.find("error")
            failed += problem is not None
            with self.subTest(operation=case.get("name")):
                self.assertIsNone(problem, problem is not None and "%s\n%s" % (
                    problem.get("message"), (problem.text or "")[:4000]))
        if not failed:  # e.g. a warning turned error, or a crash after the operations
            self.assertEqual(proc.returncode, 0, "schemathesis reported problems:\n%s" % output[-12000:])
