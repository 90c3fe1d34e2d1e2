"""Optional PostgreSQL read replicas, with read-your-writes (docs/decisions/0005-read-replicas.rst).

``backrest.db.replica_url`` names a streaming replica of the primary. Content
reads (:func:`~backrest.replicas.reading.read`) go there; everything else
stays on the primary. A request that may have written is answered with the
primary's position (:mod:`backrest.replicas.tween`), which the writer's next
reads carry back: the replica serves them once it has replayed it
(:mod:`backrest.replicas.replica`), watched by a thread of each process
(:mod:`backrest.replicas.monitor`). Without a replica, none of this runs.

- ``positions``: the position's form, header and cookie;
- ``monitor``: the replica's replay position and health;
- ``replica``: its engine, and the choice of where one read runs;
- ``reading``: the door of content reads;
- ``tween``: the writer's position on the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backrest.replicas.reading import REPLICA, complete_as_of, read, served_by_replica

if TYPE_CHECKING:
    from pyramid.config import Configurator

__all__ = ["REPLICA", "complete_as_of", "includeme", "read", "served_by_replica"]


def includeme(config: Configurator) -> None:
    settings = config.get_settings()
    if not settings["backrest.db.replica_url"]:
        return
    # Imported here: a site without a replica loads none of it.
    from backrest.replicas.replica import Replica  # noqa: PLC0415

    config.registry[REPLICA] = Replica(settings)
    config.add_tween("backrest.replicas.tween.positions_tween_factory", over="pyramid_tm.tm_tween_factory")
