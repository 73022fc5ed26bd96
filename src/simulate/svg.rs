//! SVG chart.
