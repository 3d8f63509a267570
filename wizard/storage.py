"""The wizard's session storage, writing the session only when it changes.

formtools' SessionStorage marks the session modified on every read of its data, so every
wizard request, a step merely shown or saved, rewrote the session row. The wizard keeps only
the current step there (steps are saved to the card in PostgreSQL), so this storage marks
the session modified when something is written: the current step changes, or formtools
stores step data, files, extra data or resets.
"""

from __future__ import annotations

from formtools.wizard.storage.session import SessionStorage


class StepSessionStorage(SessionStorage):
    def _get_data(self):
        return self.request.session[self.prefix]

    data = property(_get_data, SessionStorage._set_data)

    def _changed(self) -> None:
        self.request.session.modified = True

    def _set_current_step(self, step):
        if self.data[self.step_key] != step:
            super()._set_current_step(step)
            self._changed()

    def _set_extra_data(self, extra_data):
        super()._set_extra_data(extra_data)
        self._changed()

    def set_step_data(self, step, cleaned_data):
        super().set_step_data(step, cleaned_data)
        self._changed()

    def set_step_files(self, step, files):
        super().set_step_files(step, files)
        self._changed()

    def reset(self):
        super().reset()
        self._changed()
