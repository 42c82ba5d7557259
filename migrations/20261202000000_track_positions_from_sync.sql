-- Two devices that each add a track to one release while offline both take the next position;
-- after a sync the release has two tracks there. A unique index refused the second at the pull
-- (a sync error, the track lost on that device). Both are kept now and the release's readiness
-- says to renumber them (readiness.rs `track_position_shared`); local edits still refuse a
-- position that is taken (catalog/tracks.rs).
DROP INDEX tracks_position_per_disc;
CREATE INDEX tracks_position_per_disc ON tracks (release_id, disc_number, position) WHERE deleted = 0;
