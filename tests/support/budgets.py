"""Query budgets of pages (issue 19): a page's queries at most its budget, then as many with more
rows of the kind it lists as with a few."""

PAGE_BUDGET = 15  # issue 19: every page but the student list


def within_budget(client, url, django_assert_max_num_queries, budget=PAGE_BUDGET):
    """The page's queries, at most ``budget`` (None: counted only, for a page over its budget)."""
    with django_assert_max_num_queries(budget if budget is not None else 10**6) as first:
        assert client.get(url).status_code == 200
    return first


def same_again(client, url, first, django_assert_num_queries):
    """The page again, in exactly the queries of ``first``."""
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    return response
