"""The store: members, groups, quizzes, points, streaks (SQLite or PostgreSQL)."""
