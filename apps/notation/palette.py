"""One colour per process group (the paper's Figures 2 and 3), for the BPMN file and the pages."""

# group -> (stroke, fill)
GROUP_COLOURS = {
    "strategic": ("#6a1b9a", "#f3e5f5"),
    "data": ("#2e7d32", "#e8f5e9"),
    "llm": ("#1565c0", "#e3f2fd"),
    "dev": ("#e65100", "#fff3e0"),
    "ops": ("#c62828", "#ffebee"),
    "compliance": ("#00838f", "#e0f7fa"),
}
