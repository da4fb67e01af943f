"""The BARC-10 check-up: scoring, the form's refusals, and one check-up per local day."""

import datetime as dt
import html

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from recovery_network.capital.forms import CapitalCheckForm
from recovery_network.capital.models import ITEM_FIELDS, ITEMS, CapitalCheck
from tests.capital.factories import CapitalCheckFactory, answers_post

pytestmark = pytest.mark.django_db

NEW = reverse("capital:new")
# 09:00 on 10 March 2026 in Chicago (the owner's zone), 14:00 UTC.
MORNING = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("answers", "total"),
    [([1] * 10, 10), ([6] * 10, 60), ([1, 2, 3, 4, 5, 6, 6, 5, 4, 3], 39), ([5] * 9 + [2], 47)],
)
def test_the_total_is_the_sum_of_the_ten_answers(owner, answers, total):
    check = CapitalCheckFactory(owner=owner, answers=answers)
    check.refresh_from_db()
    assert check.total == total
    assert check.at_or_above_line is (total >= 47)


def test_the_total_follows_the_answers_when_one_changes(owner):
    check = CapitalCheckFactory(owner=owner, answers=[6] * 10)
    check.energy = 1
    check.save()
    check.refresh_from_db()
    assert check.total == 55


@time_machine.travel(MORNING, tick=False)
@pytest.mark.parametrize(("answers", "total"), [(1, 10), (6, 60)])
def test_the_edge_totals_are_saved_from_the_form(owner, owner_client, answers, total):
    response = owner_client.post(NEW, answers_post(answers), follow=True)
    check = CapitalCheck.objects.get(owner=owner)
    assert (check.total, check.taken_on) == (total, dt.date(2026, 3, 10))
    assert f"Today's total: {total} of 60" in html.unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == reverse("capital:overview")


@time_machine.travel(MORNING, tick=False)
def test_a_total_sent_with_the_answers_is_ignored(owner, owner_client):
    owner_client.post(NEW, {**answers_post(2), "total": "60"})
    assert CapitalCheck.objects.get(owner=owner).total == 20


def test_a_check_up_with_a_total_not_its_answers_sum_is_cleaned_to_the_sum(owner):
    check = CapitalCheck(owner=owner, taken_on=dt.date(2026, 1, 1), **dict.fromkeys(ITEM_FIELDS, 3))
    check.total = 60  # e.g. an imported file's own figure
    check.full_clean()
    assert check.total == 30


def test_an_answer_out_of_range_is_refused_by_the_model(owner):
    check = CapitalCheck(owner=owner, taken_on=dt.date(2026, 1, 1), **dict.fromkeys(ITEM_FIELDS, 3))
    check.energy = 7
    with pytest.raises(ValidationError) as caught:
        check.full_clean()
    assert "energy" in caught.value.message_dict


@time_machine.travel(MORNING, tick=False)
def test_a_missing_answer_is_refused_by_name_and_the_other_answers_are_kept(owner, owner_client):
    data = answers_post([5, 4, 6, 3, 2, 5, 4, 6, 1, 5])
    del data["energy"]  # statement 3
    response = owner_client.post(NEW, data)
    assert response.status_code == 200
    assert not CapitalCheck.objects.exists()
    body = response.content.decode()
    assert "Please choose an answer for statement 3: “I have enough energy to complete the tasks I set myself.”" in body
    form = response.context["form"]
    assert list(form.errors) == ["energy"]
    # Every answer given is chosen again on the page.
    for field, value in data.items():
        assert f'name="{field}" value="{value}" required id="id_{field}_{int(value) - 1}" checked' in body


@time_machine.travel(MORNING, tick=False)
def test_an_empty_submit_names_all_ten_statements(owner_client):
    response = owner_client.post(NEW, {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == set(ITEM_FIELDS)
    for number, (_, statement, _) in enumerate(ITEMS, start=1):
        assert f"Please choose an answer for statement {number}: “{statement}”" in response.content.decode()


@time_machine.travel(MORNING, tick=False)
@pytest.mark.parametrize("value", ["0", "7", "-1", "4.5", "abc", "", "1e3", "9" * 40, "\x00"])
def test_garbage_answers_are_refused_plainly_never_a_500(owner, owner_client, value):
    response = owner_client.post(NEW, {**answers_post(4), "progress": value})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["progress"]
    assert not CapitalCheck.objects.exists()


def test_the_form_offers_six_answers_and_no_blank_one():
    form = CapitalCheckForm()
    for field in ITEM_FIELDS:
        assert [value for value, _ in form.fields[field].choices] == [1, 2, 3, 4, 5, 6]
    assert "total" not in form.fields


@time_machine.travel(MORNING, tick=False)
def test_the_form_shows_the_ten_statements_in_order_each_a_fieldset(owner_client):
    body = owner_client.get(NEW).content.decode()
    positions = [
        body.index(f"<legend>{number}. {statement}</legend>") for number, (_, statement, _) in enumerate(ITEMS, 1)
    ]
    assert positions == sorted(positions)
    assert body.count("<fieldset") == 10
    assert body.count('type="radio"') == 60
    assert "Strongly disagree" in body and "Strongly agree" in body


@time_machine.travel(MORNING, tick=False)
def test_answering_again_the_same_day_updates_that_days_check_up(owner, owner_client):
    owner_client.post(NEW, answers_post(3))
    page = owner_client.get(NEW).content.decode()
    assert "You've answered today already" in page
    assert 'value="3" required id="id_energy_2" checked' in page
    response = owner_client.post(NEW, answers_post(5), follow=True)
    assert "Your check-up is updated. Today's total: 50 of 60" in html.unescape(response.content.decode())
    assert list(CapitalCheck.objects.values_list("taken_on", "total")) == [(dt.date(2026, 3, 10), 50)]


def test_the_local_day_decides_which_check_up_is_today(owner, owner_client):
    # 23:30 on 10 March in Chicago is already 11 March in UTC: the check-up is the 10th's.
    with time_machine.travel(dt.datetime(2026, 3, 11, 4, 30, tzinfo=dt.UTC), tick=False):
        owner_client.post(NEW, answers_post(3))
    # 00:30 on 11 March in Chicago: a new day, a new check-up.
    with time_machine.travel(dt.datetime(2026, 3, 11, 5, 30, tzinfo=dt.UTC), tick=False):
        owner_client.post(NEW, answers_post(4))
    assert list(CapitalCheck.objects.order_by("taken_on").values_list("taken_on", "total")) == [
        (dt.date(2026, 3, 10), 30),
        (dt.date(2026, 3, 11), 40),
    ]


@time_machine.travel(MORNING, tick=False)
def test_someone_elses_check_up_today_is_never_shown_or_changed(owner, stranger, stranger_client):
    CapitalCheckFactory(owner=owner, taken_on=dt.date(2026, 3, 10), answers=[6] * 10)
    assert "answered today already" not in stranger_client.get(NEW).content.decode()
    stranger_client.post(NEW, answers_post(2))
    assert CapitalCheck.objects.get(owner=owner).total == 60
    assert CapitalCheck.objects.get(owner=stranger).total == 20


def test_anonymous_is_sent_to_sign_in(anon_client):
    for url in (NEW, reverse("capital:overview")):
        response = anon_client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert anon_client.post(NEW, answers_post(4)).status_code == 302
    assert not CapitalCheck.objects.exists()
