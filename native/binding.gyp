{
  "targets": [
    {
      "target_name": "precise_timer",
      "sources": ["precise_timer.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
