"""The search index on its own (both databases): newest matches first, up to a limit, however
many records match."""

import pytest

from kehu.core.search import index

pytestmark = pytest.mark.django_db

TYPE = "customers.customer"
ORG = 9001


def find(query, limit=20, before_id=None, organization_id=ORG):
    return index.search(organization_id=organization_id, object_type=TYPE, query=query,
                        limit=limit, before_id=before_id)


def test_newest_first_with_a_limit_across_many_matches():
    # 600 records share 科技; every third also 华为; ids out of insertion order
    ids = list(range(1, 601))
    ids = ids[::2] + ids[1::2]
    index.upsert(TYPE, [(ORG, pk, {"科技", "技有", "有限"} | ({"华为"} if pk % 3 == 0 else set()))
                        for pk in ids], replace=False)
    assert find("科技", limit=50) == list(range(600, 550, -1))
    assert find("科技", limit=50, before_id=300) == list(range(299, 249, -1))
    assert find("科技有限", limit=10) == list(range(600, 590, -1))
    assert find("华为", limit=5) == [600, 597, 594, 591, 588]
    assert find("科技", limit=1000) == list(range(600, 0, -1))
    assert find("华为科技") == []  # 为科 is nowhere


def test_every_token_of_the_query_must_match_and_organizations_stay_apart():
    index.upsert(TYPE, [(ORG, 1, {"华为", "为技", "技术"}), (ORG, 2, {"华为", "为终", "终端"}),
                        (ORG + 1, 3, {"华为", "为技", "技术"})])
    assert find("华为技术") == [1]
    assert find("华为") == [2, 1]
    assert find("华为", organization_id=ORG + 1) == [3]
    assert find("华") == [2, 1]  # one character: a prefix
    assert find("") == []


def test_changes_and_removals_leave_no_stale_postings():
    index.upsert(TYPE, [(ORG, 1, {"华为", "t1234"}), (ORG, 2, {"华为"})])
    index.upsert(TYPE, [(ORG, 1, {"中兴", "t5678"})])
    assert find("华为") == [2]
    assert find("中兴") == [1]
    assert find("5678") == [1]
    assert find("1234") == []
    index.remove(TYPE, [2])
    assert find("华为") == []
    index.remove(TYPE, [])


def test_a_pasted_page_of_text_searches_only_its_first_hundred_characters():
    index.upsert(TYPE, [(ORG, 1, {"华为", "为技", "技术"})])
    pasted = "华为技术" + "有限公司的一段很长的介绍" * 2000  # ~24,000 characters
    assert len(index.tk.query_alternatives(pasted)[0][0]) <= 100
    assert find(pasted) == []  # the first hundred characters still must all match
    assert find("华为技术" + " " * 20000) == [1]
