// The dashboard's live updates (issue 11): not written yet.
