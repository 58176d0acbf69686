"""Chat between residents and their community's workers (找网格员): REST, Socket.IO events and jobs."""
