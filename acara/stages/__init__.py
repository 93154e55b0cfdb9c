"""The stages of an event's life, one module each: what officers, participants and schedules do.

planning (import, lifecycle moves), invitations, reminders, rsvp, attendance (check-in),
minutes and followup. Every function here is a command or a reaction with the same shape:
open the unit of work (`unit.change`), call the domain (`models/`), commit, publish the facts
it recorded (Prefect, or the reaction table here when no server runs). What a page or a
command shows is read here too, handed back as plain data with the session closed. The edges
(CLI, web app, Prefect flows) only translate their input into one of these calls and render
the result;
`reactions.REACTIONS` is the one table from a domain fact to the stage function it sets off.
"""
