package dev.llmstream.testkit.internal;

import java.util.List;
import java.util.Map;

/** A request as read off the wire. */
public record ParsedRequest(String method, String target, Map<String, List<String>> headers, byte[] body) {}
