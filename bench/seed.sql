-- A large archive for the benchmark: :series series, :people people, :interviews interviews.
-- Each series has its own host; each interview one host and one guest, a card teaser, a
-- featured pull quote and a body of questions and answers. The newest 1% are scheduled ahead.
TRUNCATE series, people, interviews CASCADE;

INSERT INTO series (slug, title, description, cadence_rrule, cadence_timezone, created_at, updated_at)
SELECT 'series-' || n, 'Series ' || n, 'Conversations, every week.',
       'FREQ=WEEKLY;BYDAY=TH;BYHOUR=10;BYMINUTE=0', 'Europe/Brussels', now(), now()
  FROM generate_series(1, :series) AS n;

INSERT INTO people (slug, name, headline, created_at, updated_at)
SELECT 'person-' || n, 'Person ' || n, 'Thinker and implementor number ' || n, now(), now()
  FROM generate_series(1, :people) AS n;

CREATE TEMP TABLE numbered_series AS SELECT id, row_number() OVER (ORDER BY slug) AS rank FROM series;
CREATE TEMP TABLE numbered_people AS SELECT id, row_number() OVER (ORDER BY slug) AS rank FROM people;

INSERT INTO interviews (series_id, slug, title, standfirst, body, tags, status, publish_at,
                        published_at, created_at, updated_at)
SELECT s.id, 'interview-' || n, 'Interview number ' || n, 'A conversation.',
       jsonb_build_array(
         jsonb_build_object('type', 'question', 'id', 'q1', 'speaker_id', host.id,
                            'text', 'How did your last visit go, and what did you learn?'),
         jsonb_build_object('type', 'answer', 'id', 'a1', 'speaker_id', guest.id,
                            'text', repeat('My experience was <em>largely positive</em>. ', 12)),
         jsonb_build_object('type', 'question', 'id', 'q2', 'speaker_id', host.id,
                            'text', 'What comes next?'),
         jsonb_build_object('type', 'answer', 'id', 'a2', 'speaker_id', guest.id,
                            'text', repeat('We keep building trust, step by step. ', 12))),
       ARRAY['tag-' || (n % 200), 'tag-' || (n % 37)],
       CASE WHEN n > :interviews * 0.99 THEN 'scheduled' ELSE 'published' END,
       CASE WHEN n > :interviews * 0.99 THEN now() + interval '30 days' END,
       CASE WHEN n > :interviews * 0.99 THEN NULL
            ELSE now() - (:interviews - n) * interval '1 hour' END,
       now(), now()
  FROM generate_series(1, :interviews) AS n
  JOIN numbered_series s ON s.rank = 1 + n % :series
  JOIN numbered_people host ON host.rank = 1 + n % :series
  JOIN numbered_people guest ON guest.rank = :series + 1 + (n * 7919) % (:people - :series);

INSERT INTO interview_participants (interview_id, person_id, role, position)
SELECT i.id, (i.body -> 0 ->> 'speaker_id')::uuid, 'interviewer', 0 FROM interviews i
UNION ALL
SELECT i.id, (i.body -> 1 ->> 'speaker_id')::uuid, 'interviewee', 1 FROM interviews i;

INSERT INTO teasers (interview_id, placement, text)
SELECT id, 'card', 'A long teaser for ' || title || ': ' || repeat('thinkers and implementors. ', 20)
  FROM interviews;

INSERT INTO pull_quotes (interview_id, text, speaker_id, block_id, position, featured, created_at)
SELECT id, 'My experience was largely positive.', (body -> 1 ->> 'speaker_id')::uuid, 'a1', 0, true, now()
  FROM interviews;
