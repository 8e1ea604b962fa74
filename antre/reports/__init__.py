"""Reports, the city dashboard and the capacity planner: reads over the
recorded ticket events and bookings (``selectors``), their exports
(``exports``), and a pure simulation of a day at a site (``planner``)."""
