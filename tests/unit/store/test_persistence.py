"""StorePersistence through its public methods: what PTB writes is what the next process reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from telegram import User
from telegram.ext import PersistenceInput

from bot.runtime.persistence import DEFAULT_UPDATE_INTERVAL_SECONDS, StorePersistence
from tests.support.stores import persistence_on


@pytest.fixture
def opened(store_url: str) -> Iterator[list[StorePersistence]]:
    """Persistences on ``store_url``, closed at the end (each stands for one bot process)."""
    instances: list[StorePersistence] = []
    yield instances
    for instance in instances:
        instance.close()


def _open(store_url: str, opened: list[StorePersistence], **kwargs: float) -> StorePersistence:
    persistence: StorePersistence = persistence_on(store_url, **kwargs)
    opened.append(persistence)
    return persistence


async def test_a_new_file_holds_nothing(store_url: str, opened: list[StorePersistence]) -> None:
    persistence = _open(store_url, opened)

    assert await persistence.get_user_data() == {}
    assert await persistence.get_chat_data() == {}
    assert await persistence.get_bot_data() == {}
    assert await persistence.get_conversations("booking") == {}
    assert await persistence.get_callback_data() is None


async def test_data_written_by_one_process_is_read_by_the_next(
    store_url: str, opened: list[StorePersistence]
) -> None:
    owner = User(id=42, first_name="Camille", is_bot=False, language_code="fr")
    first = _open(store_url, opened)
    await first.update_user_data(42, {"pet": "Moka", "who": owner})
    await first.update_user_data(7, {"pet": "Rex"})
    await first.update_chat_data(-100, {"muted": True})
    await first.update_bot_data({"started": 3})
    first.close()

    second = _open(store_url, opened)

    assert await second.get_user_data() == {42: {"pet": "Moka", "who": owner}, 7: {"pet": "Rex"}}
    assert await second.get_chat_data() == {-100: {"muted": True}}
    assert await second.get_bot_data() == {"started": 3}


async def test_the_latest_write_wins_and_a_drop_is_durable(
    store_url: str, opened: list[StorePersistence]
) -> None:
    first = _open(store_url, opened)
    await first.update_user_data(42, {"step": 1})
    await first.update_user_data(42, {"step": 2})
    await first.update_user_data(7, {"step": 1})
    await first.update_chat_data(7, {"x": 1})
    await first.drop_user_data(7)
    await first.drop_chat_data(7)
    await first.update_user_data(42, {"step": 2})  # unchanged: not rewritten, still there

    second = _open(store_url, opened)

    assert await second.get_user_data() == {42: {"step": 2}}
    assert await second.get_chat_data() == {}


async def test_what_ptb_is_handed_is_its_own_copy(
    store_url: str, opened: list[StorePersistence]
) -> None:
    persistence = _open(store_url, opened)
    await persistence.update_user_data(42, {"pets": ["Moka"]})

    loaded = await persistence.get_user_data()
    loaded[42]["pets"].append("Rex")

    assert await persistence.get_user_data() == {42: {"pets": ["Moka"]}}


async def test_conversation_states_survive_a_restart_under_their_tuple_keys(
    store_url: str, opened: list[StorePersistence]
) -> None:
    first = _open(store_url, opened)
    await first.update_conversation("booking", (42, 42), "STEP2")
    await first.update_conversation("booking", (7, 7), "STEP1")
    await first.update_conversation("booking", (7, 7), None)  # that conversation ended
    await first.update_conversation("staff", (-100, 5, "msg-3"), 1)

    second = _open(store_url, opened)

    assert await second.get_conversations("booking") == {(42, 42): "STEP2"}
    assert await second.get_conversations("staff") == {(-100, 5, "msg-3"): 1}
    assert await second.get_conversations("other") == {}


async def test_an_ended_conversation_is_deleted_even_by_a_later_process(
    store_url: str, opened: list[StorePersistence]
) -> None:
    first = _open(store_url, opened)
    await first.update_conversation("booking", (42, 42), "STEP2")
    first.close()

    second = _open(store_url, opened)
    await second.get_conversations("booking")
    await second.update_conversation("booking", (42, 42), None)
    await second.flush()

    assert await _open(store_url, opened).get_conversations("booking") == {}


def test_the_update_interval_is_configurable_and_short_by_default(
    store_url: str, opened: list[StorePersistence]
) -> None:
    assert _open(store_url, opened).update_interval == DEFAULT_UPDATE_INTERVAL_SECONDS
    assert _open(store_url, opened, update_interval=0.5).update_interval == 0.5


def test_arbitrary_callback_data_is_not_supported(store_url: str) -> None:
    with pytest.raises(ValueError, match="callback data"):
        persistence_on(store_url, store_data=PersistenceInput(callback_data=True))
