// Live progress of an assignment. An element with data-progress-url="<JSON URL>" is kept up to
// date from Server-Sent Events on its data-events-url when it has one, else (or when the event
// stream fails) by fetching the JSON URL every 2 seconds. Both give the same JSON:
//   {"status": "generating", "message": "...",
//    "homework": [{"student_id": 1, "student_name": "...", "status": "ready", "source": "model",
//                  "generated_tokens": null}]}
// Inside the element:
//   [data-assignment-status]   gets the status as text, and data-status (for the .badge colours);
//   [data-assignment-message]  gets the message (hidden when there is none);
//   [data-student-id="1"]      a pupil's row: its [data-homework-status] gets the homework status
//                              like the assignment's, its [data-homework-source] the source,
//                              its [data-homework-tokens] the tokens so far while it generates.
// Updates stop once the status is completed or failed. The element's data-progress-state says
// what is going on: "live" (events), "polling", "done", or "stopped" (the URL refused us).
"use strict";

(() => {
  const FINAL = new Set(["completed", "failed"]);
  const POLL_MS = 2000;
  const MAX_POLL_MS = 30000;
  const EVENT_FAILURES_BEFORE_POLLING = 3;

  const label = (status) => String(status).replace(/_/g, " ");

  const setStatus = (element, status) => {
    if (element && status != null) {
      element.textContent = label(status);
      element.dataset.status = String(status);
    }
  };

  const apply = (root, data) => {
    if (!data || typeof data !== "object") {
      return false;
    }
    setStatus(root.querySelector("[data-assignment-status]"), data.status);
    const message = root.querySelector("[data-assignment-message]");
    if (message && "message" in data) {
      message.textContent = data.message ?? "";
      message.hidden = !data.message;
    }
    for (const homework of Array.isArray(data.homework) ? data.homework : []) {
      const row = root.querySelector(`[data-student-id="${CSS.escape(String(homework.student_id))}"]`);
      if (!row) {
        continue;
      }
      setStatus(row.querySelector("[data-homework-status]"), homework.status);
      const tokens = row.querySelector("[data-homework-tokens]");
      if (tokens) {
        // Tokens written so far, while a streaming worker generates this homework.
        const count = Number(homework.generated_tokens);
        tokens.textContent = homework.status === "generating" && count > 0
          ? `${count.toLocaleString()} tokens so far` : "";
      }
      const source = row.querySelector("[data-homework-source]");
      if (source && homework.source != null) {
        source.textContent = label(homework.source);
      }
    }
    return FINAL.has(data.status);
  };

  const watch = (root) => {
    const jsonUrl = root.dataset.progressUrl;
    const eventsUrl = root.dataset.eventsUrl;
    let timer = null;
    let delay = POLL_MS;
    let finished = false;

    const setState = (state) => {
      root.dataset.progressState = state;
    };

    const finish = (state) => {
      finished = true;
      clearTimeout(timer);
      setState(state);
    };

    const poll = async () => {
      if (finished) {
        return;
      }
      if (document.hidden) {
        // Nobody is looking: check again when the tab is shown (see visibilitychange below).
        timer = null;
        return;
      }
      try {
        const response = await fetch(jsonUrl, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          cache: "no-store",
        });
        if (response.ok) {
          delay = POLL_MS;
          if (apply(root, await response.json())) {
            finish("done");
            return;
          }
        } else if (response.status !== 429 && response.status < 500) {
          finish("stopped");
          return;
        } else {
          delay = Math.min(delay * 2, MAX_POLL_MS);
        }
      } catch {
        // Network down (the classroom wifi): keep trying, less often.
        delay = Math.min(delay * 2, MAX_POLL_MS);
      }
      if (!finished) {
        timer = setTimeout(poll, delay);
      }
    };

    const startPolling = () => {
      setState("polling");
      clearTimeout(timer);
      poll();
    };

    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && !finished && timer === null && root.dataset.progressState === "polling") {
        poll();
      }
    });

    if (!eventsUrl || typeof window.EventSource !== "function") {
      startPolling();
      return;
    }
    const source = new EventSource(eventsUrl);
    let failures = 0;
    const onData = (event) => {
      failures = 0;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (apply(root, data)) {
        source.close();
        finish("done");
      }
    };
    setState("live");
    source.addEventListener("message", onData);
    source.addEventListener("progress", onData);
    source.addEventListener("error", () => {
      failures += 1;
      // CLOSED: the server refused the stream (not an event stream, 404...); the browser
      // would retry a dropped one forever, so give up after a few tries and poll instead.
      if (source.readyState === EventSource.CLOSED || failures >= EVENT_FAILURES_BEFORE_POLLING) {
        source.close();
        if (!finished) {
          startPolling();
        }
      }
    });
  };

  const start = () => {
    document.querySelectorAll("[data-progress-url]").forEach(watch);
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
