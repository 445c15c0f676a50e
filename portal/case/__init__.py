"""The case: what happens to an application after it is delivered, on both sides, until it is
closed (docs/design.md §2 steps 9–13). The municipality registers it (ankomstregistrering), handles it,
asks for supplements (komplettering), writes messages, decides and pays; the applicant follows it
all in the case overview, answers, and can withdraw."""
