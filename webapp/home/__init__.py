"""Start pages: what each role sees on the home page once signed in (the route is core's).

One service per role (coordinator.py, secretariat.py, participant.py), each reading what its
page shows in a fixed number of queries whatever the amount of data."""
