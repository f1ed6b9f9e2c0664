package dev.llmstream.testkit.internal;

/** What the server needs to answer one request: the steps to send and the record to update. */
public record Exchange(ResponsePlan plan, ExchangeState state) {}
