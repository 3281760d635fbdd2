"""Tests of the CrossGuard policy pack: rules one service per file, then the analyzer over gRPC."""
