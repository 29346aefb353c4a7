from lib.problem import PROBLEM_CONTENT_TYPE, problem


def test_about_blank_uses_reason_phrase():
    doc = problem(404, "No order 7")
    assert doc == {"type": "about:blank", "title": "Not Found", "status": 404,
                   "detail": "No order 7", "errors": []}


def test_typed_problem_with_field_errors_and_request_id():
    doc = problem(422, "Invalid body", type_="validation-error",
                  errors=[{"field": "partner_id", "message": "required"}], request_id="abc")
    assert doc["type"].endswith("/validation-error")
    assert doc["errors"] == [{"field": "partner_id", "message": "required"}]
    assert doc["request_id"] == "abc"
    assert PROBLEM_CONTENT_TYPE == "application/problem+json"
